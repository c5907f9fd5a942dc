using System.Globalization;
using System.Security.Claims;

namespace Homeroom.Accounts;

/// <summary>What a signed-in teacher's cookie or token carries.</summary>
public static class TeacherClaims
{
    public const string SecurityStamp = "homeroom:stamp";
    public const string AuthenticationType = "Homeroom";

    public static ClaimsPrincipal Principal(long teacherId, string username, string securityStamp) =>
        new(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, teacherId.ToString(CultureInfo.InvariantCulture)),
                new Claim(ClaimTypes.Name, username),
                new Claim(SecurityStamp, securityStamp),
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
}
