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

    public async Task<bool> IsCurrentAsync(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.TeacherId() is not { } teacherId)
        {
            return false;
        }

        var current = await cache.GetOrCreateAsync(CacheKey(teacherId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            await using var connection = await database.OpenAsync();
            // An empty string stands for "no such teacher" so that a deleted account is cached too.
            return await connection.QuerySingleOrDefaultAsync<string>(
                "SELECT security_stamp FROM teachers WHERE id = @teacherId", new { teacherId }) ?? string.Empty;
        });

        var presented = principal.FindFirstValue(TeacherClaims.SecurityStamp);
        return !string.IsNullOrEmpty(current) && string.Equals(current, presented, StringComparison.Ordinal);
    }

    public void Forget(long teacherId) => cache.Remove(CacheKey(teacherId));

    private static string CacheKey(long teacherId) => "stamp:" + teacherId;
}
