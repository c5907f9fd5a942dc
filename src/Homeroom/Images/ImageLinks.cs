using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Homeroom.Images;

/// <summary>
/// The addresses players load a question's picture from. Players have no account, so the address itself is the
/// permission: a token sealed with the service's data-protection keys (kept in the database, so every server opens
/// every other's) naming the image and lasting a day. A live game or an assignment hands one out with the question
/// it belongs to, so only those who were shown the question can load its picture, and nobody can make one up.
/// </summary>
public sealed class ImageLinks(IDataProtectionProvider protection)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private readonly ITimeLimitedDataProtector protector =
        protection.CreateProtector("Homeroom.Images.Players").ToTimeLimitedDataProtector();

    /// <summary>The anonymous address of an image, good for <see cref="Lifetime"/>.</summary>
    public string ForPlayers(long imageId) =>
        "/api/play/images/" + protector.Protect(imageId.ToString(CultureInfo.InvariantCulture), Lifetime);

    /// <summary>The image a token names, if it is genuine and has not expired.</summary>
    public long? Open(string token)
    {
        try
        {
            var text = protector.Unprotect(token, out _);
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
