using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Homeroom.Games;

/// <summary>
/// The address players' phones open to join (the join link and its QR code). Phones are other machines, so a
/// loopback address (localhost, 127.0.0.1, ::1) is useless to them. In order: <c>Homeroom:PublicUrl</c> when set
/// (behind a proxy, or to print a stable name); else the address the teacher's browser used, when it is not
/// loopback (after the forwarded headers, so behind a proxy this is the address the browser saw); else this
/// machine's address on the local network (<see cref="LanAddress"/>) with the port the teacher used.
/// </summary>
public static class JoinAddress
{
    /// <summary>The scheme, host, port and path base players use, without a trailing slash.</summary>
    public static string Root(IConfiguration configuration, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(context);
        if (configuration["Homeroom:PublicUrl"] is { Length: > 0 } configured)
        {
            return configured.TrimEnd('/');
        }

        var request = context.Request;
        if (!IsLoopback(request.Host.Host) || LanAddress() is not { } lan)
        {
            return $"{request.Scheme}://{request.Host}{request.PathBase}";
        }

        var port = request.Host.Port ?? context.Connection.LocalPort;
        var isDefault = port == (request.IsHttps ? 443 : 80);
        return $"{request.Scheme}://{lan}{(isDefault ? "" : $":{port}")}{request.PathBase}";
    }

    /// <summary>True for localhost (and *.localhost) and loopback addresses.</summary>
    public static bool IsLoopback(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.Trim('[', ']');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>
    /// This machine's IPv4 address on the local network: the first interface that is up, not loopback and not a
    /// tunnel, preferring one with a default gateway (the classroom's Wi-Fi or cable rather than a container
    /// bridge); null when there is none.
    /// </summary>
    public static IPAddress? LanAddress()
    {
        try
        {
            var candidates = NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == OperationalStatus.Up
                    && n.NetworkInterfaceType is not (NetworkInterfaceType.Loopback or NetworkInterfaceType.Tunnel))
                .Select(n => (Properties: n.GetIPProperties(), Interface: n))
                .SelectMany(n => n.Properties.UnicastAddresses
                    .Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a.Address)
                        && !a.Address.ToString().StartsWith("169.254.", StringComparison.Ordinal))
                    .Select(a => (a.Address, HasGateway: n.Properties.GatewayAddresses.Any(g => g.Address.AddressFamily == AddressFamily.InterNetwork))))
                .ToList();
            return candidates.OrderByDescending(c => c.HasGateway).Select(c => c.Address).FirstOrDefault();
        }
        catch (NetworkInformationException)
        {
            return null;
        }
    }
}
