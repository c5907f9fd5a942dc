using System.Text.Json.Serialization;
using System.Text.Json;
using Homeroom.Storage;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Homeroom.Reports;

/// <summary>
/// The JSON of finished games' reports, kept per server. A finished game's answers, players and questions never
/// change again; what can still change is read again on every request and compared (<see cref="StampSql"/>): the
/// game itself (deleted, or its id taken by a new game), its status, its quiz and class (deleted: set to null), the
/// class's name and the names of the students its players were matched to (renamed, or deleted). The owner check is
/// that same read, so another teacher's game, or a game deleted on another server, is a 404 before anything is
/// served. Only finished games are kept: a live game is still being played, and an interrupted one is reported as it
/// stood but is not kept. Several servers on one PostgreSQL each keep their own copy, each checked the same way.
/// </summary>
public sealed class FinishedReports(IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IDisposable
{
    /// <summary>At most this many bytes of JSON are kept (a 10,000-player report is about 2.2 MB).</summary>
    private const long MaxBytes = 256L * 1024 * 1024;

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = MaxBytes });

    /// <summary>
    /// The game's row as it stands (the same scope as <see cref="GameScope.One"/>), once per player matched to a student
    /// with that student's names (once with none if none was): no row, no report. Apart from the game's own row, the
    /// students' names are the only data a finished report reads from rows that can still change.
    /// </summary>
    private const string StampSql = """
        SELECT g.status, g.quiz_id, g.class_id, c.name AS class_name, g.title, g.started_at, g.ended_at,
            p.player_id, s.id AS student_id, s.name AS student_name, s.preferred_name AS student_preferred_name
        FROM games g LEFT JOIN classes c ON c.id = g.class_id
        LEFT JOIN game_players p ON p.game_id = g.id AND p.student_id IS NOT NULL
        LEFT JOIN students s ON s.id = p.student_id
        WHERE g.id = @id AND g.teacher_id = @TeacherId AND g.started_at IS NOT NULL
        ORDER BY p.player_id
        """;

    internal sealed class StampRow
    {
        public string Status { get; init; } = "";

        public long? QuizId { get; init; }

        public long? ClassId { get; init; }

        public string? ClassName { get; init; }

        public string Title { get; init; } = "";

        public long StartedAt { get; init; }

        public long? EndedAt { get; init; }

        public long? PlayerId { get; init; }

        public long? StudentId { get; init; }

        public string? StudentName { get; init; }

        public string? StudentPreferredName { get; init; }
    }

    private sealed record Entry(string Stamp, byte[] Json);

    /// <summary>
    /// The report's JSON, as <c>TypedResults.Ok(report)</c> would write it, or null when the game is not the teacher's
    /// (or does not exist, or never started). Served from memory when the game is finished and nothing it depends on
    /// has changed since; otherwise worked out (and kept when finished).
    /// </summary>
    public async Task<byte[]?> JsonAsync(TeacherDb mine, long id)
    {
        ArgumentNullException.ThrowIfNull(mine);
        var rows = await mine.QueryAsync<StampRow>(StampSql, new { id });
        if (rows.Count == 0)
        {
            return null;
        }

        string? stamp = null;
        if (rows[0].Status == "finished")
        {
            // Everything the report reads that could still change, as one text (JSON, so nothing in a name can blur two values).
            stamp = JsonSerializer.Serialize(new Stamp(mine.TeacherId, rows), StampJson.Default.Stamp);
            if (cache.TryGetValue(id, out Entry? kept) && kept!.Stamp == stamp)
            {
                return kept.Json;
            }
        }

        if (await ReportsApi.FindAsync(mine, id) is not { } report)
        {
            return null;
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(report, json.Value.SerializerOptions);
        if (stamp is not null)
        {
            // The stamp was read before the report: if anything changed in between, the next request's stamp differs.
            cache.Set(id, new Entry(stamp, bytes), new MemoryCacheEntryOptions { Size = bytes.Length, SlidingExpiration = TimeSpan.FromHours(1) });
        }

        return bytes;
    }

    public void Dispose() => cache.Dispose();
}

/// <summary>What <see cref="FinishedReports"/> compares before serving a kept report.</summary>
internal sealed record Stamp(long TeacherId, IReadOnlyList<FinishedReports.StampRow> Rows);

[JsonSerializable(typeof(Stamp))]
internal sealed partial class StampJson : JsonSerializerContext;
