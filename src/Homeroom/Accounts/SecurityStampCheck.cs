using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using Dapper;
using Homeroom.Storage;
using Microsoft.Extensions.Caching.Memory;

namespace Homeroom.Accounts;

/// <summary>
/// Cookies and bearer tokens are self-contained, so on their own signing out, a changed password or a deleted
/// account would not end the sessions already handed out. Every sign-in therefore opens a row in <c>sessions</c>
/// whose id the cookie or token carries (<see cref="TeacherClaims.SessionId"/>), and every authenticated request
/// checks that the session is still open and the teacher still exists. Signing out ends the session; changing the
/// password ends every other one; deleting the account deletes them all.
/// <para>
/// What this server last read is trusted for a short while: a session for <see cref="SessionCacheFor"/>, the
/// teacher's row (stamp and time zone) for <see cref="CacheFor"/>. A change made on this server is seen here at
/// once (the entries are dropped); one made on another server sharing the database is seen here within
/// <see cref="SessionCacheFor"/>. The "clock" of a cached session is the service's <see cref="TimeProvider"/>.
/// </para>
/// Cookies and tokens from before sessions existed carry no session id: they are checked by the teacher's security
/// stamp, which a password change renews, as before.
/// </summary>
public sealed class SecurityStampCheck(Database database, IMemoryCache cache, TimeProvider clock)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    /// <summary>How long this server trusts what it last read of a session: a session ended on another server is refused here after at most this.</summary>
    public static readonly TimeSpan SessionCacheFor = TimeSpan.FromSeconds(5);

    /// <summary>Per teacher, how many times this server has ended sessions: a session read before the last time is read again.</summary>
    private readonly ConcurrentDictionary<long, long> endings = new();

    /// <summary>What every request of a teacher needs to know, cached: their security stamp and time zone.</summary>
    public sealed record TeacherSession(string Stamp, string TimeZone);

    private sealed record SessionState(bool Open, DateTimeOffset ReadAt, long Endings);

    public async Task<bool> IsCurrentAsync(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.TeacherId() is not { } teacherId)
        {
            return false;
        }

        var current = await SessionAsync(teacherId);
        if (current is null)
        {
            return false;
        }

        if (principal.SessionId() is { } sessionId)
        {
            return await IsOpenAsync(teacherId, sessionId);
        }

        return string.Equals(current.Stamp, principal.FindFirstValue(TeacherClaims.SecurityStamp), StringComparison.Ordinal);
    }

    /// <summary>The teacher's time zone (for "today"), from the same cached row as the stamp.</summary>
    public async Task<string> TimeZoneAsync(long teacherId) => (await SessionAsync(teacherId))?.TimeZone ?? "UTC";

    /// <summary>Opens a session for a sign-in and returns its id (128 random bits).</summary>
    public async Task<string> StartAsync(long teacherId)
    {
        var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await database.WriteAsync((connection, transaction) => connection.ExecuteAsync(
            "INSERT INTO sessions (id, teacher_id, created_at) VALUES (@id, @teacherId, @now)", new { id, teacherId, now }, transaction));
        return id;
    }

    /// <summary>Ends one session (signing out). Ended sessions of the teacher are deleted at their next sign-in.</summary>
    public async Task EndAsync(long teacherId, string sessionId)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await database.WriteAsync((connection, transaction) => connection.ExecuteAsync(
            "UPDATE sessions SET ended_at = @now WHERE id = @sessionId AND teacher_id = @teacherId AND ended_at IS NULL",
            new { now, sessionId, teacherId }, transaction));
        Ended(teacherId);
    }

    /// <summary>Ends every open session of the teacher but <paramref name="keep"/> (the one changing the password).</summary>
    public async Task EndOthersAsync(long teacherId, string? keep)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await database.WriteAsync((connection, transaction) => connection.ExecuteAsync(
            "UPDATE sessions SET ended_at = @now WHERE teacher_id = @teacherId AND ended_at IS NULL AND id <> @keep",
            new { now, teacherId, keep = keep ?? "" }, transaction));
        Ended(teacherId);
    }

    /// <summary>Deletes the teacher's ended sessions (at sign-in, so the table holds what is open and little else).</summary>
    public Task PruneAsync(long teacherId) =>
        database.WriteAsync((connection, transaction) => connection.ExecuteAsync(
            "DELETE FROM sessions WHERE teacher_id = @teacherId AND ended_at IS NOT NULL", new { teacherId }, transaction));

    /// <summary>Whether the session is open, read from the database now (refreshing a token).</summary>
    public async Task<bool> IsOpenNowAsync(long teacherId, string sessionId)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteScalarAsync<long?>(
            "SELECT teacher_id FROM sessions WHERE id = @sessionId AND ended_at IS NULL", new { sessionId }) == teacherId;
    }

    /// <summary>Drops what this server remembers of the teacher (stamp, time zone, sessions).</summary>
    public void Forget(long teacherId)
    {
        cache.Remove(CacheKey(teacherId));
        Ended(teacherId);
    }

    private void Ended(long teacherId) => endings.AddOrUpdate(teacherId, 1, (_, count) => count + 1);

    private async Task<bool> IsOpenAsync(long teacherId, string sessionId)
    {
        var key = "session:" + sessionId;
        var now = clock.GetUtcNow();
        var ending = endings.GetValueOrDefault(teacherId);
        if (cache.TryGetValue(key, out SessionState? known) && known is not null && known.Endings == ending && now - known.ReadAt < SessionCacheFor)
        {
            return known.Open;
        }

        var open = await IsOpenNowAsync(teacherId, sessionId);
        // Kept by this server's own clock too, so the cache cannot outgrow the sessions in use.
        cache.Set(key, new SessionState(open, now, ending), TimeSpan.FromMinutes(1));
        return open;
    }

    private Task<TeacherSession?> SessionAsync(long teacherId) =>
        cache.GetOrCreateAsync(CacheKey(teacherId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            await using var connection = await database.OpenAsync();
            // Null stands for "no such teacher", and is cached too, so a deleted account stays refused.
            return await connection.QuerySingleOrDefaultAsync<TeacherSession>(
                "SELECT security_stamp AS stamp, time_zone AS timezone FROM teachers WHERE id = @teacherId", new { teacherId });
        });

    private static string CacheKey(long teacherId) => "stamp:" + teacherId;
}
