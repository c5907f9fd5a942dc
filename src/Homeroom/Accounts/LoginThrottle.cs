using Dapper;
using Homeroom.Storage;

namespace Homeroom.Accounts;

public sealed class LoginThrottleOptions
{
    public int MaxFailures { get; set; } = 5;

    public int WindowMinutes { get; set; } = 15;
}

/// <summary>
/// Throttles password guessing per username: after <c>MaxFailures</c> failed sign-ins within
/// <c>WindowMinutes</c>, further attempts for that username are refused (429 with Retry-After) until the
/// oldest failure leaves the window. Failures are kept in the database, so every server sees them and a
/// restart does not reset the count. It counts whether or not the username exists, so it reveals nothing.
/// </summary>
public sealed class LoginThrottle(Database database, TimeProvider clock, Microsoft.Extensions.Options.IOptions<LoginThrottleOptions> options)
{
    private TimeSpan Window => TimeSpan.FromMinutes(options.Value.WindowMinutes);

    /// <summary>How long the caller must wait before trying this username again; null when it may try now.</summary>
    public async Task<TimeSpan?> RetryAfterAsync(string usernameKey)
    {
        var now = clock.GetUtcNow();
        var since = (now - Window).ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync();
        var failures = (await connection.QueryAsync<long>(
            "SELECT failed_at FROM login_failures WHERE username_key = @usernameKey AND failed_at > @since ORDER BY failed_at DESC",
            new { usernameKey, since })).AsList();
        if (failures.Count < options.Value.MaxFailures)
        {
            return null;
        }

        // The attempt becomes possible again when the failure that tipped it over the limit leaves the window.
        var blocking = DateTimeOffset.FromUnixTimeMilliseconds(failures[options.Value.MaxFailures - 1]);
        var wait = blocking + Window - now;
        return wait > TimeSpan.Zero ? wait : null;
    }

    public async Task RecordFailureAsync(string usernameKey)
    {
        var now = clock.GetUtcNow();
        await database.WriteAsync((connection, transaction) => connection.ExecuteAsync(
            """
            DELETE FROM login_failures WHERE failed_at <= @expired;
            INSERT INTO login_failures (username_key, failed_at) VALUES (@usernameKey, @now);
            """,
            new { usernameKey, now = now.ToUnixTimeMilliseconds(), expired = (now - Window).ToUnixTimeMilliseconds() },
            transaction));
    }

    public async Task ClearAsync(string usernameKey)
    {
        await database.WriteAsync((connection, transaction) =>
            connection.ExecuteAsync("DELETE FROM login_failures WHERE username_key = @usernameKey", new { usernameKey }, transaction));
    }
}
