using System.Globalization;
using Homeroom.Quizzes;
using Homeroom.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Homeroom.Images;

/// <summary>
/// The pictures of a quiz's questions on their way in and out: inline pictures (the JSON export's form) stored and
/// turned into ids, ids checked to be the teacher's own, the quiz's references kept in step (what keeps an image from
/// the sweep), pictures copied with a copied quiz, and written inline into a JSON export.
/// </summary>
public static class QuizImages
{
    /// <summary>
    /// The quiz as it is to be stored: every inline picture processed and stored as one of the teacher's images, and every
    /// imageId one of the teacher's own. Or a validation problem naming each question whose picture is not acceptable.
    /// </summary>
    public static async Task<(QuizContent? Quiz, ValidationProblem? Error)> ResolveAsync(
        TeacherDb mine, QuizContent quiz, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mine);
        ArgumentNullException.ThrowIfNull(quiz);
        ArgumentNullException.ThrowIfNull(clock);
        var questions = (quiz.Questions ?? []).ToArray();
        if (!questions.Any(q => q.ImageId is not null || q.Image is not null))
        {
            return (quiz, null);
        }

        var errors = new Dictionary<string, string[]>();
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var stored = new HashSet<long>();
        for (var i = 0; i < questions.Length; i++)
        {
            if (questions[i].Image is not { Data: { } data })
            {
                continue;
            }

            var (image, why) = await ImageProcessor.ProcessAsync(Convert.FromBase64String(data), cancellationToken);
            if (image is null)
            {
                errors[Path(i, "image")] = [why!];
                continue;
            }

            var id = await ImagesApi.StoreAsync(mine, image, now);
            stored.Add(id);
            questions[i] = questions[i] with { ImageId = id, Image = null };
        }

        var wanted = questions.Select(q => q.ImageId).OfType<long>().Where(id => !stored.Contains(id)).Distinct().ToArray();
        if (wanted.Length > 0)
        {
            var owned = (await mine.QueryAsync<long>($"SELECT id FROM images WHERE teacher_id = @TeacherId AND {AnyOf(mine.Database, "id", "wanted")}", new { wanted })).ToHashSet();
            for (var i = 0; i < questions.Length; i++)
            {
                if (questions[i].ImageId is { } id && !stored.Contains(id) && !owned.Contains(id))
                {
                    errors[Path(i, "imageId")] = ["There is no image of yours with this id: upload the picture with POST /api/images and use the id it gives."];
                }
            }
        }

        return errors.Count > 0 ? (null, TypedResults.ValidationProblem(errors)) : (quiz with { Questions = questions }, null);
    }

    /// <summary>
    /// "column is one of the list @name": Dapper spells a list out as (@name1, @name2, …) on SQLite, and passes it to
    /// PostgreSQL as one array parameter, which is compared with = ANY.
    /// </summary>
    internal static string AnyOf(Database database, string column, string name) =>
        database.Sql($"{column} IN @{name}", $"{column} = ANY(@{name})");

    private static string Path(int index, string field) => string.Create(CultureInfo.InvariantCulture, $"questions[{index}].{field}");

    /// <summary>
    /// Inside the write that stores the quiz: its references become exactly the images its questions use. Images taken up
    /// or let go are touched, so one just removed from a quiz stays a grace period (a live game may still be showing it).
    /// </summary>
    public static async Task SyncReferencesAsync(TeacherTransaction tx, long quizId, QuizContent quiz, long now)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(quiz);
        var ids = (quiz.Questions ?? []).Select(q => q.ImageId).OfType<long>().Distinct().ToArray();
        await tx.ExecuteAsync(
            "UPDATE images SET touched_at = @now WHERE teacher_id = @TeacherId AND id IN (SELECT image_id FROM quiz_images WHERE quiz_id = @quizId)",
            new { now, quizId });
        await tx.ExecuteAsync(
            "DELETE FROM quiz_images WHERE quiz_id = @quizId AND quiz_id IN (SELECT id FROM quizzes WHERE teacher_id = @TeacherId)", new { quizId });
        if (ids.Length > 0)
        {
            await tx.ExecuteAsync(
                $"INSERT INTO quiz_images (quiz_id, image_id) SELECT @quizId, i.id FROM images i WHERE i.teacher_id = @TeacherId AND {AnyOf(tx.Database, "i.id", "ids")}",
                new { quizId, ids });
            await tx.ExecuteAsync($"UPDATE images SET touched_at = @now WHERE teacher_id = @TeacherId AND {AnyOf(tx.Database, "id", "ids")}", new { now, ids });
        }
    }

    /// <summary>Before a quiz is deleted: its images start their grace period now (a game may still be showing one).</summary>
    public static Task TouchAsync(TeacherTransaction tx, long quizId, long now)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.ExecuteAsync(
            "UPDATE images SET touched_at = @now WHERE teacher_id = @TeacherId AND id IN (SELECT image_id FROM quiz_images WHERE quiz_id = @quizId)",
            new { now, quizId });
    }

    /// <summary>
    /// A copy of a quiz (perhaps another teacher's public one) gets its own copies of the pictures, so it keeps them
    /// whatever becomes of the original. Runs inside the write that stores the copy; returns the questions with the new ids.
    /// </summary>
    public static async Task<IReadOnlyList<Question>> CopyAsync(TeacherTransaction tx, IReadOnlyList<Question> questions, long now)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(questions);
        var copies = new Dictionary<long, long>();
        foreach (var id in questions.Select(q => q.ImageId).OfType<long>().Distinct())
        {
            copies[id] = await tx.ExecuteScalarAsync<long>(
                """
                INSERT INTO images (teacher_id, hash, content_type, width, height, data, created_at, touched_at)
                SELECT @TeacherId, s.hash, s.content_type, s.width, s.height, s.data, @now, @now FROM images s WHERE s.id = @id
                ON CONFLICT (teacher_id, hash) DO UPDATE SET touched_at = excluded.touched_at
                RETURNING id
                """,
                new { id, now });
        }

        return [.. questions.Select(q => q.ImageId is { } id && copies.TryGetValue(id, out var copy) && copy > 0 ? q with { ImageId = copy } : q with { ImageId = null })];
    }

    /// <summary>The quiz with each picture written inline (for the JSON export), in place of its id.</summary>
    public static async Task<QuizContent> InlineAsync(TeacherDb mine, QuizContent quiz)
    {
        ArgumentNullException.ThrowIfNull(mine);
        ArgumentNullException.ThrowIfNull(quiz);
        var questions = quiz.Questions ?? [];
        var ids = questions.Select(q => q.ImageId).OfType<long>().Distinct().ToArray();
        if (ids.Length == 0)
        {
            return quiz;
        }

        var images = (await ImagesApi.ReadableAsync(mine, ids)).ToDictionary(i => i.Id);
        return quiz with
        {
            Questions = [.. questions.Select(q => q.ImageId is { } id
                ? q with { ImageId = null, Image = images.TryGetValue(id, out var image) ? new InlineImage(image.ContentType, Convert.ToBase64String(image.Data)) : null }
                : q)],
        };
    }
}
