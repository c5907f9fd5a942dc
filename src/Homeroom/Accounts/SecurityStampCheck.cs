using System.Security.Claims;
using Dapper;
using Homeroom.Storage;
using Microsoft.Extensions.Caching.Memory;

namespace Homeroom.Accounts;

/// <summary>
/// Cookies and bearer tokens are self-contained, so on their own a changed password or a deleted account
/// would not end the sessions already handed out. Every authenticated request therefore compares the
/// token's security stamp with the teacher's current one (cached for <see cref="CacheFor"/>; on this
/// server the cache entry is dropped the moment the stamp changes, on other servers it expires).
/// A stale cookie or token fails authentication, so the endpoint answers 401.
/// </summary>
public sealed class SecurityStampCheck(Database database, IMemoryCache cache)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    /// <summary>What every request of a teacher needs to know, cached: their security stamp and time zone.</summary>
    public sealed record TeacherSession(string Stamp, string TimeZone);

    public async Task<bool> IsCurrentAsync(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.TeacherId() is not { } teacherId)
        {
            return false;
        }

        var current = await SessionAsync(teacherId);
        var presented = principal.FindFirstValue(TeacherClaims.SecurityStamp);
        return current is not null && string.Equals(current.Stamp, presented, StringComparison.Ordinal);
    }

    /// <summary>The teacher's time zone (for "today"), from the same cached row as the stamp.</summary>
    public async Task<string> TimeZoneAsync(long teacherId) => (await SessionAsync(teacherId))?.TimeZone ?? "UTC";

    private Task<TeacherSession?> SessionAsync(long teacherId) =>
        cache.GetOrCreateAsync(CacheKey(teacherId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            await using var connection = await database.OpenAsync();
            // Null stands for "no such teacher", and is cached too, so a deleted account stays refused.
            return await connection.QuerySingleOrDefaultAsync<TeacherSession>(
                "SELECT security_stamp AS stamp, time_zone AS timezone FROM teachers WHERE id = @teacherId", new { teacherId });
        });

    public void Forget(long teacherId) => cache.Remove(CacheKey(teacherId));

    private static string CacheKey(long teacherId) => "stamp:" + teacherId;
}
