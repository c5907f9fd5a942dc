using System.Globalization;
using System.Security.Claims;

namespace Homeroom.Accounts;

/// <summary>What a signed-in teacher's cookie or token carries.</summary>
public static class TeacherClaims
{
    public const string SecurityStamp = "homeroom:stamp";
    public const string Session = "homeroom:session";
    public const string AuthenticationType = "Homeroom";

    public static ClaimsPrincipal Principal(long teacherId, string username, string securityStamp, string sessionId) =>
        new(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, teacherId.ToString(CultureInfo.InvariantCulture)),
                new Claim(ClaimTypes.Name, username),
                new Claim(SecurityStamp, securityStamp),
                new Claim(Session, sessionId),
            ],
            AuthenticationType));

    public static long? TeacherId(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        var value = user.FindFirstValue(ClaimTypes.NameIdentifier);
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }

    /// <summary>The session (row in <c>sessions</c>) a cookie or token belongs to; null for those issued before sessions existed.</summary>
    public static string? SessionId(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirstValue(Session) is { Length: > 0 } id ? id : null;
    }
}
