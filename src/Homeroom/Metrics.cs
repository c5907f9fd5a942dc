using System.Diagnostics.Metrics;
using System.Net;
using Homeroom.Games;
using Homeroom.Storage;
using OpenTelemetry.Metrics;

namespace Homeroom;

/// <summary>
/// Homeroom's own instruments (meter <c>Homeroom</c>): live games, connected players, the write queue's depth and how long
/// its commits take. The gauges are read only when scraped, and nothing is recorded per request: the write queue records
/// once per commit. With no listener (metrics off) every instrument is idle.
/// </summary>
public sealed class HomeroomMetrics
{
    public const string MeterName = "Homeroom";

    private readonly Histogram<double> commitDuration;
    private readonly Histogram<int> commitWrites;

    public HomeroomMetrics(IMeterFactory meters, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        // Read when scraped; resolved then, since the database itself records into this object.
        var games = new Lazy<GameRegistry>(services.GetRequiredService<GameRegistry>);
        var database = new Lazy<Database>(services.GetRequiredService<Database>);
        meter.CreateObservableGauge("homeroom.games.live", () => games.Value.Running().Games, "{game}",
            "Live games on this instance that are not over (in the lobby or being played).");
        meter.CreateObservableGauge("homeroom.games.players.connected", () => games.Value.Running().ConnectedPlayers, "{player}",
            "Players connected to this instance's live games.");
        meter.CreateObservableGauge("homeroom.storage.write_queue.depth", () => database.Value.QueuedWrites, "{write}",
            "Writes waiting for the writer or in the batch it is running.");
        commitDuration = meter.CreateHistogram(
            "homeroom.storage.commit.duration", "s", "How long a batch of writes took, from taking it off the queue to its durable commit.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        commitWrites = meter.CreateHistogram(
            "homeroom.storage.commit.writes", "{write}", "Writes committed together in one batch (group commit).",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
    }

    /// <summary>A batch of <paramref name="writes"/> writes committed after <paramref name="duration"/>.</summary>
    public void Committed(TimeSpan duration, int writes)
    {
        if (commitDuration.Enabled)
        {
            commitDuration.Record(duration.TotalSeconds);
            commitWrites.Record(writes);
        }
    }
}

/// <summary>
/// <c>/metrics</c> in Prometheus' text format (OpenTelemetry's exporter), off unless <c>Homeroom:Metrics:Enabled</c>, and then
/// answered only to clients in <c>Homeroom:Metrics:AllowedNetworks</c> (loopback by default): the figures say how busy the
/// school is and which endpoints it uses, which is nobody else's business. What it exports: the framework's own meters
/// (HTTP requests from the hosting layer, Kestrel's connections, SignalR's connections, the runtime) and <see cref="HomeroomMetrics"/>.
/// </summary>
public static class MetricsSetup
{
    public const string Path = "/metrics";

    private static readonly string[] Meters =
    [
        HomeroomMetrics.MeterName,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Http.Connections",
        "System.Runtime",
    ];

    public static WebApplicationBuilder AddMetrics(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<HomeroomMetrics>();
        if (builder.Configuration.GetValue("Homeroom:Metrics:Enabled", false))
        {
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(Meters).AddPrometheusExporter());
        }

        return builder;
    }

    /// <summary>Maps <c>/metrics</c> when metrics are on; otherwise the path is an unknown page like any other.</summary>
    public static void MapMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Configuration.GetValue("Homeroom:Metrics:Enabled", false))
        {
            return;
        }

        var allowed = AllowedNetworks(app.Configuration["Homeroom:Metrics:AllowedNetworks"]);
        app.MapPrometheusScrapingEndpoint(Path, meterProvider: null, branch => branch.Use((context, next) =>
        {
            if (context.Connection.RemoteIpAddress is { } address && IsAllowed(allowed, address))
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }), optionsName: null).DisableHttpMetrics();
    }

    /// <summary>The networks from the setting (comma-separated CIDR blocks or addresses); loopback when it is empty.</summary>
    public static IReadOnlyList<IPNetwork> AllowedNetworks(string? setting)
    {
        var parts = (setting ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            return [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")];
        }

        return [.. parts.Select(part =>
            IPNetwork.TryParse(part, out var network) ? network
            : IPAddress.TryParse(part, out var single) ? new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
            : throw new InvalidOperationException($"Homeroom:Metrics:AllowedNetworks: '{part}' is not an address or a CIDR block such as 10.0.0.0/8."))];
    }

    public static bool IsAllowed(IReadOnlyList<IPNetwork> allowed, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        ArgumentNullException.ThrowIfNull(address);
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in allowed)
        {
            if (network.Contains(plain))
            {
                return true;
            }
        }

        return false;
    }
}
