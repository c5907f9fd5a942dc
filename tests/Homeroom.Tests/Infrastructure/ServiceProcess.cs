using System.Collections.Concurrent;
using System.Diagnostics;
using Homeroom.Storage;

namespace Homeroom.Tests.Infrastructure;

/// <summary>
/// The service as its own operating-system process (`dotnet Homeroom.dll`), for the tests that must
/// kill it the hard way (SIGKILL) and start it again on the same database, run several servers on one
/// database, or run the published app from another directory.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private ServiceProcess(Process process, Uri address)
    {
        this.process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Every line the service wrote to its standard output and error so far.</summary>
    public IReadOnlyList<string> Output => [.. output];

    /// <summary>
    /// Starts the service on a free loopback port. <paramref name="instanceName"/> is its <c>Homeroom:InstanceName</c>:
    /// the same name again is a restart of the same server (it takes over the previous run's games at once); give
    /// two servers running at once different names.
    /// </summary>
    public static Task<ServiceProcess> StartAsync(StorageProvider provider, string connectionString, string instanceName = "service") =>
        StartAsync(new Options(provider)
        {
            Settings =
            {
                ["ConnectionStrings:Homeroom"] = connectionString,
                ["Homeroom:InstanceName"] = instanceName,
                ["Logging:LogLevel:Default"] = "Warning",
            },
        });

    public static async Task<ServiceProcess> StartAsync(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dll = options.Dll ?? typeof(Program).Assembly.Location;
        var port = options.Port ?? PostgresServer.FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = options.WorkingDirectory ?? Path.GetDirectoryName(dll)!,
        };
        // The tests' own environment (ASPNETCORE_ENVIRONMENT and the like) is not the service's.
        foreach (var variable in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(variable);
        }

        start.ArgumentList.Add(dll);
        if (options.AddressInEnvironment)
        {
            start.Environment["ASPNETCORE_URLS"] = address.ToString();
        }
        else
        {
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add(address.ToString());
        }

        start.ArgumentList.Add("--Storage:Provider");
        start.ArgumentList.Add(options.Provider == StorageProvider.Sqlite ? "sqlite" : "postgres");
        foreach (var (key, value) in options.Settings)
        {
            start.ArgumentList.Add($"--{key}");
            start.ArgumentList.Add(value);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the service.");
        var service = new ServiceProcess(process, address);
        process.OutputDataReceived += (_, line) => service.Add(line.Data);
        process.ErrorDataReceived += (_, line) => service.Add(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
        // Generous: on the shared 2-core machine, under a load average near 100, a start has taken over a minute.
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(process.HasExited, "The service exited during start-up:\n" + string.Join('\n', service.Output));
            try
            {
                if ((await http.GetAsync(new Uri("/health", UriKind.Relative))).IsSuccessStatusCode)
                {
                    return service;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        await service.DisposeAsync();
        throw new TimeoutException("The service did not start within 180 s.");
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            output.Enqueue(line);
        }
    }

    public ApiClient NewClient() => new(new HttpClient { BaseAddress = Address });

    /// <summary>SIGKILL: no shutdown hooks, no flushing, exactly like a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>
    /// SIGTERM, as systemd stops a service: the service shuts down cleanly. Waits for it to exit, as long as systemd's
    /// TimeoutStopSec in docs/deployment.md and more; a service still running then is killed and the stop fails.
    /// </summary>
    public async Task StopAsync()
    {
        if (process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill!.WaitForExitAsync();
        }

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            throw new TimeoutException("The service did not stop within 60 s of SIGTERM:\n" + string.Join('\n', Output));
        }
    }

    /// <summary>SIGKILL without waiting: for a test that ran out of time.</summary>
    public void Abandon()
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public bool HasExited => process.HasExited;

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            await KillAsync();
        }

        process.Dispose();
    }

    /// <summary>How to start the service: which build (<see cref="Dll"/>, default the tests' own), from where, with what settings.</summary>
    public sealed class Options(StorageProvider provider)
    {
        public StorageProvider Provider { get; } = provider;

        /// <summary>Homeroom.dll to run; null: the one the tests are built against.</summary>
        public string? Dll { get; init; }

        /// <summary>The process's working directory; null: the folder of <see cref="Dll"/>.</summary>
        public string? WorkingDirectory { get; init; }

        /// <summary>The address is given as ASPNETCORE_URLS, as a systemd unit or a container would, instead of --urls.</summary>
        public bool AddressInEnvironment { get; init; }

        /// <summary>The loopback port to listen on; null: a free one.</summary>
        public int? Port { get; init; }

        /// <summary>Settings passed on the command line (<c>--key value</c>).</summary>
        public Dictionary<string, string> Settings { get; } = new(StringComparer.OrdinalIgnoreCase);
    }
}
