using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;

namespace Homeroom.Accounts;

/// <summary>
/// Bearer tokens already checked, by the token itself. A token is a sealed ticket: reading one means an HMAC,
/// an AES decryption and rebuilding the claims, about a tenth of the CPU of a fair pick, on every request of a
/// program that sends the same token thousands of times. A token found here is not opened again: the ticket it
/// held is used, provided it has not expired by the service's clock. What a cached ticket cannot tell (a changed
/// password, a deleted account) is still checked on every request by <see cref="SecurityStampCheck"/>.
/// The cache is bounded (<see cref="MaxEntries"/> tokens, each kept at most <see cref="KeepFor"/>); a token that
/// does not fit is simply opened each time.
/// </summary>
public sealed class BearerTicketCache(TimeProvider clock) : IDisposable
{
    public const int MaxEntries = 10_000;

    public static readonly TimeSpan KeepFor = TimeSpan.FromMinutes(10);

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = MaxEntries });

    /// <summary>The ticket a token held when it was last opened, if it has not expired since.</summary>
    public AuthenticationTicket? Find(string token) =>
        cache.TryGetValue(token, out AuthenticationTicket? ticket) && ticket is not null && !HasExpired(ticket) ? ticket : null;

    /// <summary>Remembers what a token held, once the bearer-token handler has opened and accepted it.</summary>
    public void Remember(string token, AuthenticationTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        if (HasExpired(ticket))
        {
            return;
        }

        cache.Set(token, ticket, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = KeepFor });
    }

    public void Dispose() => cache.Dispose();

    private bool HasExpired(AuthenticationTicket ticket) =>
        ticket.Properties.ExpiresUtc is { } expires && expires <= clock.GetUtcNow();
}
