using Dapper;
using Homeroom.Storage;

namespace Homeroom.Places;

/// <summary>A place as the index holds it: everything a nearest-places answer shows, plus its point.</summary>
public sealed record PlaceInfo(
    long Id, long TeacherId, string Name, string? Address, string Category, double Lat, double Lon,
    string? Phone, string? Url, bool Public, string TimeZone, string? Hours, long Version, string? Country = null)
{
    public (double X, double Y, double Z) Point { get; } = Geo.ToVector(Lat, Lon);

    /// <summary>The hours parsed once, when the place is loaded (shared by places with the same text).</summary>
    public OpeningHours? Schedule { get; } = OpeningHours.Cached(Hours);

    /// <summary>What the hours are read in: the zone (UTC when unknown), the point and the country.</summary>
    public OpeningContext Context { get; } = new(TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out var zone) ? zone : TimeZoneInfo.Utc, Lat, Lon, Country);

    public TimeZoneInfo Zone => Context.Zone;

    /// <summary>What the hours mean at <paramref name="now"/>; null without hours.</summary>
    public OpeningStatus? StatusAt(DateTimeOffset now) => Schedule?.Status(now, Context);
}

/// <summary>
/// Every place, in memory, in a <see cref="SphereTree"/>: nearest-k without scanning, exact, on either
/// database. It is loaded at start (in the background: /health answers at once, nearest queries wait for
/// it), and kept in step with the database through the places' versions: after a write this server
/// catches up before answering, and every <see cref="PollEvery"/> it picks up what other servers wrote.
/// Changes since the last build sit in an overlay with a tree of its own, built once per catch-up, and
/// queries merge the two trees' nearest-first streams. When the overlay grows past
/// <see cref="RebuildAfter"/> (a bulk import), the catch-up folds it into a new main tree before it
/// publishes anything, so no query ever sees a large overlay.
/// </summary>
public sealed partial class PlaceDirectory(Database database, ILogger<PlaceDirectory> logger) : BackgroundService
{
    public static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(2);
    private const int RebuildAfter = 20_000;

    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim syncGate = new(1, 1);
    private volatile State state = State.Of([], new Dictionary<long, PlaceInfo?>(), 0);

    /// <summary>
    /// An immutable view: the main tree over <see cref="Places"/>, and the overlay of changes since it was
    /// built (a place, or null for deleted), whose live places have their own tree.
    /// </summary>
    private sealed record State(SphereTree Tree, PlaceInfo[] Places, Dictionary<long, PlaceInfo?> Overlay, SphereTree AddedTree, PlaceInfo[] Added, long Version)
    {
        /// <summary>The categories of the main tree's places (deleted ones may linger until the next build).</summary>
        public HashSet<string> Categories { get; } = Places.Select(p => p.Category).ToHashSet(StringComparer.OrdinalIgnoreCase);

        public static State Of(PlaceInfo[] places, Dictionary<long, PlaceInfo?> overlay, long version)
        {
            var added = overlay.Values.OfType<PlaceInfo>().ToArray();
            return new State(Build(places), places, overlay, Build(added), added, version);
        }

        public State WithOverlay(Dictionary<long, PlaceInfo?> overlay, long version)
        {
            var added = overlay.Values.OfType<PlaceInfo>().ToArray();
            return this with { Overlay = overlay, AddedTree = Build(added), Added = added, Version = version };
        }

        private static SphereTree Build(PlaceInfo[] places) => new([.. places.Select(p => p.Point)], [.. places.Select(p => p.Id)]);
    }

    /// <summary>
    /// False only when no place has this category, so a search for one can stop at once instead of
    /// walking every place looking for a match.
    /// </summary>
    public bool MayHaveCategory(string category)
    {
        var current = state;
        return current.Categories.Contains(category) || current.Added.Any(p => string.Equals(p.Category, category, StringComparison.OrdinalIgnoreCase));
    }

    public Task ReadyAsync(CancellationToken cancellationToken = default) => ready.Task.WaitAsync(cancellationToken);

    /// <summary>Every live place with its squared chord distance from the point, nearest first (ties by id).</summary>
    public IEnumerable<(PlaceInfo Place, double ChordSquared)> Nearest(double lat, double lon)
    {
        var current = state;
        var point = Geo.ToVector(lat, lon);
        using var added = current.AddedTree.Nearest(point).GetEnumerator();
        var hasAdded = added.MoveNext();
        foreach (var (entry, chordSquared) in current.Tree.Nearest(point))
        {
            var place = current.Places[entry];
            if (current.Overlay.ContainsKey(place.Id))
            {
                continue;
            }

            while (hasAdded && (added.Current.ChordSquared, current.Added[added.Current.Entry].Id).CompareTo((chordSquared, place.Id)) < 0)
            {
                yield return (current.Added[added.Current.Entry], added.Current.ChordSquared);
                hasAdded = added.MoveNext();
            }

            yield return (place, chordSquared);
        }

        while (hasAdded)
        {
            yield return (current.Added[added.Current.Entry], added.Current.ChordSquared);
            hasAdded = added.MoveNext();
        }
    }

    /// <summary>Catches up with the database: call after writing places, before answering.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken = default)
    {
        await ReadyAsync(cancellationToken);
        await syncGate.WaitAsync(cancellationToken);
        try
        {
            var current = state;
            await using var connection = await database.OpenAsync(cancellationToken);
            var changed = (await connection.QueryAsync<PlaceRow>(
                $"SELECT {Columns} FROM places WHERE version > @Version ORDER BY version", new { current.Version })).Select(r => r.ToInfo()).ToList();
            var deleted = (await connection.QueryAsync<(long Id, long Version)>(
                "SELECT id, version FROM place_deletions WHERE version > @Version", new { current.Version })).AsList();
            if (changed.Count == 0 && deleted.Count == 0)
            {
                return;
            }

            var overlay = new Dictionary<long, PlaceInfo?>(current.Overlay);
            var version = current.Version;
            // Apply in version order, so a place deleted after its last change stays deleted, and the other way round.
            foreach (var (id, place, at) in changed.Select(p => (p.Id, (PlaceInfo?)p, p.Version)).Concat(deleted.Select(d => (d.Id, (PlaceInfo?)null, d.Version))).OrderBy(c => c.Item3))
            {
                overlay[id] = place;
                version = Math.Max(version, at);
            }

            state = overlay.Count > RebuildAfter
                ? State.Of([.. current.Places.Where(p => !overlay.ContainsKey(p.Id)).Concat(overlay.Values.OfType<PlaceInfo>())], new Dictionary<long, PlaceInfo?>(), version)
                : current.WithOverlay(overlay, version);
        }
        finally
        {
            syncGate.Release();
        }
    }

    /// <summary>A places row as Dapper reads it (SQLite has no booleans).</summary>
    internal sealed class PlaceRow
    {
        public long Id { get; init; }

        public long TeacherId { get; init; }

        public string Name { get; init; } = "";

        public string? Address { get; init; }

        public string Category { get; init; } = "";

        public double Lat { get; init; }

        public double Lon { get; init; }

        public string? Phone { get; init; }

        public string? Url { get; init; }

        public bool Public { get; init; }

        public string TimeZone { get; init; } = "UTC";

        public string? Hours { get; init; }

        public long Version { get; init; }

        public string? Country { get; init; }

        public PlaceInfo ToInfo() => new(Id, TeacherId, Name, Address, Category, Lat, Lon, Phone, Url, Public, TimeZone, Hours, Version, Country);
    }

    internal const string Columns =
        "id, teacher_id, name, address, category, lat, lon, phone, url, is_public AS public, time_zone, hours, version, country";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await LoadAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogLoadFailed(logger, e);
            ready.TrySetException(e);
            throw;
        }

        using var timer = new PeriodicTimer(PollEvery);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SyncAsync(stoppingToken);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                LogSyncFailed(logger, e);
            }
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // The version first: anything written while the rows are read is picked up by the next sync.
        var version = await connection.ExecuteScalarAsync<long>("SELECT value FROM place_versions WHERE id = 1");
        var places = (await connection.QueryAsync<PlaceRow>($"SELECT {Columns} FROM places WHERE version <= @version", new { version }))
            .Select(r => r.ToInfo()).ToArray();
        state = State.Of(places, new Dictionary<long, PlaceInfo?>(), version);
        LogLoaded(logger, places.Length);
        ready.TrySetResult();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Count} places into the nearest-places index")]
    private static partial void LogLoaded(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not load the places into the nearest-places index")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not catch up with place changes; will try again")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception);
}
