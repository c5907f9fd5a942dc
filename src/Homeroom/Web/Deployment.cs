using System.Net;
using Homeroom.Games;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.HttpOverrides;

namespace Homeroom.Web;

/// <summary>
/// How the service sits on a machine and a network: where its files are, which proxies it believes, and where
/// people are told to go when it starts.
/// </summary>
public static partial class Deployment
{
    /// <summary>
    /// The builder, with the content root (appsettings.json, wwwroot) in the app's own folder unless one is given
    /// (<c>--contentRoot</c>, <c>ASPNETCORE_CONTENTROOT</c>): the published app runs the same from any working
    /// directory. <c>dotnet run</c> gives the project folder (see Homeroom.csproj). The working directory is left
    /// alone: it is where relative data paths (<c>Homeroom:DataDirectory</c>) are resolved.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var given = new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_")
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddCommandLine(args)
            .Build();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = string.IsNullOrEmpty(given[WebHostDefaults.ContentRootKey]) ? AppContext.BaseDirectory : null,
        });
        // appsettings.json's Urls (every interface, port 5000: phones must reach a teacher's laptop) is only the default:
        // the framework reads ASPNETCORE_URLS before appsettings.json, so without this the file would win over the
        // environment, as systemd units and containers set it. --urls on the command line already wins.
        if (given[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } urls)
        {
            builder.WebHost.UseUrls(urls);
        }

        return builder;
    }

    /// <summary>
    /// X-Forwarded-For, -Proto and -Host from the proxies the service is told to believe: loopback always (a proxy
    /// on the same machine), plus <c>Homeroom:ForwardedHeaders:KnownProxies</c> (addresses) and
    /// <c>KnownNetworks</c> (CIDR ranges), comma-separated. Then the client address (rate limits), the scheme
    /// (Secure cookies, HSTS) and the host (join links) are the ones the browser used. With
    /// <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c> the framework's own switch applies instead: every sender is believed.
    /// </summary>
    public static WebApplicationBuilder AddForwardedHeaders(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection("Homeroom:ForwardedHeaders");
        var proxies = List(section, "KnownProxies").Select(text => IPAddress.TryParse(text, out var address)
            ? address
            : throw new InvalidOperationException($"Homeroom:ForwardedHeaders:KnownProxies: '{text}' is not an IP address.")).ToList();
        var networks = List(section, "KnownNetworks").Select(text => System.Net.IPNetwork.TryParse(text, out var network)
            ? network
            : throw new InvalidOperationException($"Homeroom:ForwardedHeaders:KnownNetworks: '{text}' is not a network like 10.0.0.0/8.")).ToList();
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            proxies.ForEach(options.KnownProxies.Add);
            networks.ForEach(options.KnownIPNetworks.Add);
        });
        builder.Services.AddHsts(options => options.MaxAge = TimeSpan.FromDays(365));
        return builder;
    }

    /// <summary>First in the pipeline: the forwarded headers, then HSTS (sent on HTTPS only, never to localhost).</summary>
    public static WebApplication UseForwardedHeadersAndHsts(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // With ASPNETCORE_FORWARDEDHEADERS_ENABLED the framework has already put its own middleware in front.
        if (!app.Configuration.GetValue<bool>("FORWARDEDHEADERS_ENABLED"))
        {
            app.UseForwardedHeaders();
        }

        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        return app;
    }

    /// <summary>
    /// Once the server listens: where the teacher opens Homeroom, where students join, and whether other machines
    /// can reach it at all.
    /// </summary>
    public static void LogAddressesAtStart(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Homeroom");
            if (addresses.Select(a => Uri.TryCreate(a.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri : null)
                .FirstOrDefault(u => u is not null) is not { } first)
            {
                return;
            }

            var all = IPAddress.TryParse(first.Host.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any));
            var local = JoinAddress.IsLoopback(first.Host);
            var port = first.IsDefaultPort ? "" : $":{first.Port}";
            var teacher = all || local ? $"{first.Scheme}://localhost{port}" : $"{first.Scheme}://{first.Host}{port}";
            var students = app.Configuration["Homeroom:PublicUrl"] is { Length: > 0 } configured
                ? configured.TrimEnd('/')
                : all && JoinAddress.LanAddress() is { } lan ? $"{first.Scheme}://{lan}{port}"
                : local ? null
                : $"{first.Scheme}://{first.Host}{port}";
            var listening = string.Join(", ", addresses);
            LogTeacher(logger, teacher);
            if (students is null)
            {
                LogLocalOnly(logger, listening);
            }
            else
            {
                LogStudents(logger, students + "/play");
            }

            if (all)
            {
                LogAllInterfaces(logger, listening);
            }
        });
    }

    private static IEnumerable<string> List(IConfigurationSection section, string key)
    {
        var child = section.GetSection(key);
        var values = child.Value is { } single ? [single] : child.GetChildren().Select(c => c.Value ?? "");
        return values.SelectMany(v => v.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Teacher: open {Address} in your browser")]
    private static partial void LogTeacher(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "Students: join at {Address} (phones on the same network; the game screen shows it with a QR code)")]
    private static partial void LogStudents(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Students: Homeroom listens on this computer only ({Addresses}), so phones join only through a proxy (set Homeroom:PublicUrl); --urls http://*:5000 listens on every network interface")]
    private static partial void LogLocalOnly(ILogger logger, string addresses);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Listening on every network interface ({Addresses}) so that phones can join; --urls http://localhost:5000 keeps Homeroom to this computer")]
    private static partial void LogAllInterfaces(ILogger logger, string addresses);
}
