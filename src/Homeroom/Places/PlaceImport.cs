using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using Dapper;
using Homeroom.Storage;
using Homeroom.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Homeroom.Places;

public sealed record PlaceImportStatus(
    long Id, string Status, string? FileName, long BytesTotal, long BytesRead, double Progress, long RowsRead, long Imported,
    long ProblemCount, IReadOnlyList<ImportProblem> Problems, string? Error, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt);

/// <summary>
/// CSV import of places, as a background job so a million rows neither time out nor sit in memory:
/// the upload is spooled to a temporary file, its header checked (422 when a required column is missing),
/// and the answer is 202 with where to follow the job. The job streams the rows, reports bad ones by line
/// with the reason, keeps the good ones in batches (each batch durable when committed), and records its
/// progress in the database, so any server can report it. A job that stops being heard from for a minute
/// (the service was stopped or crashed) is reported as interrupted; the batches it committed stay.
/// Columns (header row, any order, case ignored): name, category, lat, lon, and optionally address,
/// phone, url, timezone (IANA), hours (OSM opening_hours syntax), country (ISO 3166-1 alpha-2, for public
/// holidays), public (true/false, default true).
/// </summary>
public sealed partial class PlaceImports(Database database, PlaceDirectory directory, TimeProvider clock, ILogger<PlaceImports> logger) : IHostedService, IDisposable
{
    public const long MaxUploadBytes = 256L * 1024 * 1024;
    private const int BatchSize = 2000;
    private const int RowsPerStatement = 50;
    private const int MaxProblemsKept = 1000;
    private const int MaxFieldLength = 10_000;
    private static readonly TimeSpan SilentForTooLong = TimeSpan.FromMinutes(1);

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["name"] = "name", ["category"] = "category", ["type"] = "category",
        ["lat"] = "lat", ["latitude"] = "lat", ["lon"] = "lon", ["lng"] = "lon", ["long"] = "lon", ["longitude"] = "lon",
        ["address"] = "address", ["phone"] = "phone", ["telephone"] = "phone", ["url"] = "url", ["website"] = "url",
        ["timezone"] = "timezone", ["tz"] = "timezone", ["hours"] = "hours", ["openinghours"] = "hours", ["public"] = "public",
        ["country"] = "country", ["countrycode"] = "country",
    };

    private static readonly string[] Required = ["name", "category", "lat", "lon"];
    private static readonly string[] InsertParameters = ["t", "n", "a", "c", "la", "lo", "p", "u", "pub", "tz", "h", "co", "v", "now"];

    private readonly CancellationTokenSource stopping = new();
    private int disposed;
    private readonly ConcurrentDictionary<long, Task> running = new();

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            stopping.Dispose();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The container may dispose this singleton before the host asks it to stop.
        if (Volatile.Read(ref disposed) == 0)
        {
            await stopping.CancelAsync();
        }

        await Task.WhenAll(running.Values).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    internal static void Map(RouteGroupBuilder mine)
    {
        mine.MapPost("/import", Upload)
            .WithSummary("Import places from CSV (raw body or multipart 'file'): 202, then follow Location for progress and the report")
            .Accepts<string>("text/csv", "multipart/form-data")
            .WithMetadata(new RequestSizeLimitAttribute(MaxUploadBytes))
            .WithFormOptions(multipartBodyLengthLimit: MaxUploadBytes)
            .Problem(StatusCodes.Status422UnprocessableEntity, "The header lacks a required column.");
        mine.MapGet("/imports", List).WithSummary("My place imports, newest first");
        mine.MapGet("/imports/{id:long}", Get).WithSummary("An import's progress and report");
    }

    private static async Task<Results<Accepted<PlaceImportStatus>, ProblemHttpResult, ValidationProblem>> Upload(
        HttpRequest request, TeacherDb mine, PlaceImports imports)
    {
        var (upload, error) = await Uploads.OpenAsync(request, "text/csv", "text/plain", "application/csv");
        if (upload is null)
        {
            return error!;
        }

        var path = Path.Combine(Path.GetTempPath(), $"homeroom-places-{Guid.NewGuid():N}.csv");
        try
        {
            long length;
            await using (var file = File.Create(path))
            {
                await upload.Content.CopyToAsync(file, request.HttpContext.RequestAborted);
                length = file.Length;
            }

            if (ReadHeader(path) is { } problem)
            {
                File.Delete(path);
                return Problems.Unprocessable(problem, new Dictionary<string, object?> { ["line"] = 1 });
            }

            var status = await imports.StartAsync(mine.TeacherId, path, upload.FileName, length);
            return TypedResults.Accepted($"/api/places/imports/{status.Id}", status);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    private static async Task<Ok<List<PlaceImportStatus>>> List(TeacherDb mine, PlaceImports imports) =>
        TypedResults.Ok((await mine.QueryAsync<ImportRow>("SELECT * FROM place_imports WHERE teacher_id = @TeacherId ORDER BY id DESC LIMIT 20"))
            .Select(imports.ToStatus).ToList());

    private static async Task<Results<Ok<PlaceImportStatus>, ProblemHttpResult>> Get(long id, TeacherDb mine, PlaceImports imports) =>
        await mine.QuerySingleOrDefaultAsync<ImportRow>("SELECT * FROM place_imports WHERE id = @id AND teacher_id = @TeacherId", new { id }) is { } row
            ? TypedResults.Ok(imports.ToStatus(row))
            : Problems.NotFound("import");

    /// <summary>Null when the header names every required column, else what is wrong with it.</summary>
    private static string? ReadHeader(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        using var parser = new CsvParser(reader, Configuration(_ => { }));
        try
        {
            if (!parser.Read() || parser.Record is not { } header)
            {
                return "The file is empty: the first line must name the columns (at least name, category, lat, lon).";
            }

            var columns = Map(header);
            var missing = Required.Where(r => !columns.ContainsKey(r)).ToList();
            return missing.Count == 0
                ? null
                : $"The first line must name the columns; {string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} missing (found: {string.Join(", ", header.Take(12))}).";
        }
        catch (CsvHelperException)
        {
            return "The first line is not a CSV header.";
        }
    }

    private static Dictionary<string, int> Map(string[] header)
    {
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
        {
            var key = new string(header[i].Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();
            if (Aliases.TryGetValue(key, out var column))
            {
                columns.TryAdd(column, i);
            }
        }

        return columns;
    }

    private static CsvConfiguration Configuration(Action<int> badData) => new(CultureInfo.InvariantCulture)
    {
        DetectDelimiter = true,
        DetectDelimiterValues = [",", ";", "\t"],
        BadDataFound = args => badData(args.Context.Parser?.RawRow ?? 0),
        MissingFieldFound = null,
        MaxFieldSize = MaxFieldLength,
        TrimOptions = TrimOptions.Trim,
    };

    private async Task<PlaceImportStatus> StartAsync(long teacherId, string path, string? fileName, long length)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var row = await database.WriteAsync((connection, transaction) => connection.QuerySingleAsync<ImportRow>(
            """
            INSERT INTO place_imports (teacher_id, status, file_name, bytes_total, bytes_read, rows_read, imported, problem_count, problems, started_at, updated_at)
            VALUES (@teacherId, 'running', @fileName, @length, 0, 0, 0, 0, '[]', @now, @now)
            RETURNING *
            """,
            new { teacherId, fileName, length, now }, transaction));
        running[row.Id] = Task.Run(() => RunAsync(row.Id, teacherId, path, length));
        return ToStatus(row);
    }

    private async Task RunAsync(long id, long teacherId, string path, long length)
    {
        var problems = new List<ImportProblem>();
        long problemCount = 0, rowsRead = 0, imported = 0;
        string? failure = null;
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            using var reader = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            var badRows = new HashSet<int>();
            using var parser = new CsvParser(reader, Configuration(row => badRows.Add(row)));
            parser.Read();
            var columns = Map(parser.Record!);
            var batch = new List<NewPlace>(BatchSize);

            void Problem(int line, string message)
            {
                problemCount++;
                if (problems.Count < MaxProblemsKept)
                {
                    problems.Add(new ImportProblem(line, message));
                }
            }

            while (true)
            {
                try
                {
                    if (!parser.Read())
                    {
                        break;
                    }
                }
                catch (CsvHelperException)
                {
                    // A field that never ends (an unclosed quote): nothing after it can be read reliably.
                    Problem(parser.RawRow, "Malformed quotes: this row and the rest of the file could not be read.");
                    break;
                }

                var line = parser.RawRow;
                var record = parser.Record ?? [];
                if (record.All(string.IsNullOrWhiteSpace))
                {
                    continue;
                }

                rowsRead++;
                if (badRows.Remove(line))
                {
                    Problem(line, "Malformed quotes in this row.");
                    continue;
                }

                if (ToRow(record, columns, teacherId, out var message) is { } place)
                {
                    batch.Add(place);
                }
                else
                {
                    Problem(line, message!);
                }

                if (batch.Count == BatchSize)
                {
                    imported += await SaveAsync(id, batch, file.Position, rowsRead, imported, problemCount);
                    batch.Clear();
                }
            }

            imported += await SaveAsync(id, batch, length, rowsRead, imported, problemCount);
        }
#pragma warning disable CA1031 // Whatever stops the job is reported on the job, where the teacher will look.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failure = stopping.IsCancellationRequested ? "The service stopped during the import." : "The import stopped: " + e.Message;
            LogFailed(logger, id, e);
        }
        finally
        {
            File.Delete(path);
            running.TryRemove(id, out _);
        }

        // "done" must mean "searchable": the index catches up before the job says it has finished.
        await directory.SyncAsync();
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await database.WriteAsync((connection, transaction) => connection.ExecuteAsync(
            """
            UPDATE place_imports SET status = @status, rows_read = @rowsRead, imported = @imported, problem_count = @problemCount,
                problems = @json, error = @failure, bytes_read = CASE WHEN @failure IS NULL THEN bytes_total ELSE bytes_read END,
                updated_at = @now, finished_at = @now
            WHERE id = @id
            """,
            new { id, status = failure is null ? "done" : "failed", rowsRead, imported, problemCount, json = JsonSerializer.Serialize(problems, JsonSerializerOptions.Web), failure, now },
            transaction));
    }

    /// <summary>Stores a batch with the job's progress, in one durable write; returns how many places it added.</summary>
    private async Task<long> SaveAsync(long id, List<NewPlace> batch, long bytesRead, long rowsRead, long imported, long problemCount)
    {
        stopping.Token.ThrowIfCancellationRequested();
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var rows = batch.ToList();
        await database.WriteAsync(async (connection, transaction) =>
        {
            if (rows.Count > 0 && database.IsSqlite)
            {
                // SQLite looks parameter names up one by one, so a many-row statement costs its square;
                // one single-row statement, prepared once and run per row, is far cheaper.
                var version = await PlacesApi.NextVersionsAsync(connection, transaction, rows.Count) - rows.Count;
                await using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText =
                    "INSERT INTO places (teacher_id, name, address, category, lat, lon, phone, url, is_public, time_zone, hours, country, version, created_at, updated_at) " +
                    "VALUES (@t, @n, @a, @c, @la, @lo, @p, @u, @pub, @tz, @h, @co, @v, @now, @now)";
                var parameters = InsertParameters.Select(name =>
                {
                    var parameter = insert.CreateParameter();
                    parameter.ParameterName = "@" + name;
                    insert.Parameters.Add(parameter);
                    return parameter;
                }).ToArray();
                foreach (var row in rows)
                {
                    object?[] values = [row.TeacherId, row.Name, row.Address, row.Category, row.Lat, row.Lon, row.Phone, row.Url, row.Public, row.TimeZone, row.Hours, row.Country, ++version, now];
                    for (var i = 0; i < values.Length; i++)
                    {
                        parameters[i].Value = values[i] ?? DBNull.Value;
                    }

                    await insert.ExecuteNonQueryAsync();
                }
            }
            else if (rows.Count > 0)
            {
                var version = await PlacesApi.NextVersionsAsync(connection, transaction, rows.Count) - rows.Count;
                foreach (var chunk in rows.Chunk(RowsPerStatement))
                {
                    var parameters = new DynamicParameters();
                    var values = new StringBuilder();
                    for (var i = 0; i < chunk.Length; i++)
                    {
                        parameters.AddDynamicParams(Prefixed(chunk[i], i, ++version, now));
                        values.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                            $"(@t{i}, @n{i}, @a{i}, @c{i}, @la{i}, @lo{i}, @p{i}, @u{i}, @pub{i}, @tz{i}, @h{i}, @co{i}, @v{i}, @now{i}, @now{i})");
                    }

                    await connection.ExecuteAsync(
                        "INSERT INTO places (teacher_id, name, address, category, lat, lon, phone, url, is_public, time_zone, hours, country, version, created_at, updated_at) VALUES " + values,
                        parameters, transaction);
                }
            }

            await connection.ExecuteAsync(
                "UPDATE place_imports SET bytes_read = @bytesRead, rows_read = @rowsRead, imported = @done, problem_count = @problemCount, updated_at = @now WHERE id = @id",
                new { id, bytesRead, rowsRead, done = imported + rows.Count, problemCount, now }, transaction);
            return 0;
        });
        return rows.Count;
    }

    private sealed record NewPlace(long TeacherId, string Name, string? Address, string Category, double Lat, double Lon, string? Phone, string? Url, bool Public, string TimeZone, string? Hours, string? Country);

    private static Dictionary<string, object?> Prefixed(NewPlace p, int i, long version, long now) =>
        new Dictionary<string, object?>
        {
            [$"t{i}"] = p.TeacherId, [$"n{i}"] = p.Name, [$"a{i}"] = p.Address, [$"c{i}"] = p.Category, [$"la{i}"] = p.Lat, [$"lo{i}"] = p.Lon,
            [$"p{i}"] = p.Phone, [$"u{i}"] = p.Url, [$"pub{i}"] = p.Public, [$"tz{i}"] = p.TimeZone, [$"h{i}"] = p.Hours, [$"co{i}"] = p.Country, [$"v{i}"] = version, [$"now{i}"] = now,
        };

    private static NewPlace? ToRow(string[] record, Dictionary<string, int> columns, long teacherId, out string? problem)
    {
        string? Field(string column) => columns.TryGetValue(column, out var index) && index < record.Length && record[index] is { Length: > 0 } value ? CsvSafety.Restore(value) : null;

        double? Coordinate(string column) =>
            double.TryParse(Field(column), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

        var errors = new ValidationErrors();
        var lat = Coordinate("lat");
        var lon = Coordinate("lon");
        PlaceRules.Validate(errors, "", Field("name"), Field("address"), Field("category"), lat, lon, Field("phone"), Field("url"), Field("timezone"), Field("hours"), Field("country"));
        var isPublic = Field("public")?.ToLowerInvariant() switch
        {
            null or "true" or "yes" or "1" => true,
            "false" or "no" or "0" => false,
            _ => (bool?)null,
        };
        if (isPublic is null)
        {
            errors.Add("public", "public must be true or false.");
        }

        if (!errors.IsEmpty)
        {
            problem = string.Join(" ", errors.ToDictionary().Values.SelectMany(m => m));
            return null;
        }

        problem = null;
        return new NewPlace(teacherId, Field("name")!.Trim(), Field("address")?.Trim(), Field("category")!.Trim(), lat!.Value, lon!.Value,
            Field("phone")?.Trim(), Field("url")?.Trim(), isPublic!.Value,
            Field("timezone")?.Trim() is { Length: > 0 } zone ? zone : TimeZoneLookup.Find(lat!.Value, lon!.Value), Field("hours")?.Trim(), PlaceRules.Country(Field("country")));
    }

    internal sealed class ImportRow
    {
        public long Id { get; init; }

        public string Status { get; init; } = "";

        public string? FileName { get; init; }

        public long BytesTotal { get; init; }

        public long BytesRead { get; init; }

        public long RowsRead { get; init; }

        public long Imported { get; init; }

        public long ProblemCount { get; init; }

        public string Problems { get; init; } = "[]";

        public string? Error { get; init; }

        public long StartedAt { get; init; }

        public long UpdatedAt { get; init; }

        public long? FinishedAt { get; init; }

        public long TeacherId { get; init; }
    }

    internal PlaceImportStatus ToStatus(ImportRow row)
    {
        var status = row.Status == "running" && !running.ContainsKey(row.Id)
            && clock.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(row.UpdatedAt) > SilentForTooLong
            ? "interrupted"
            : row.Status;
        return new PlaceImportStatus(row.Id, status, row.FileName, row.BytesTotal, row.BytesRead,
            row.BytesTotal == 0 ? 1 : Math.Round((double)row.BytesRead / row.BytesTotal, 4), row.RowsRead, row.Imported, row.ProblemCount,
            JsonSerializer.Deserialize<List<ImportProblem>>(row.Problems, JsonSerializerOptions.Web) ?? [], row.Error,
            DateTimeOffset.FromUnixTimeMilliseconds(row.StartedAt), row.FinishedAt is { } f ? DateTimeOffset.FromUnixTimeMilliseconds(f) : null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Place import {Id} stopped")]
    private static partial void LogFailed(ILogger logger, long id, Exception exception);
}
