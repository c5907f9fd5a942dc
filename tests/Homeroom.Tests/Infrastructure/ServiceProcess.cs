using System.Diagnostics;
using Homeroom.Storage;

namespace Homeroom.Tests.Infrastructure;

/// <summary>
/// The service as its own operating-system process (`dotnet Homeroom.dll`), for the tests that must
/// kill it the hard way (SIGKILL) and start it again on the same database.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process process;

    private ServiceProcess(Process process, Uri address)
    {
        this.process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Starts the service; <paramref name="settings"/> are passed on its command line (<c>--Key value</c>).</summary>
    public static async Task<ServiceProcess> StartAsync(StorageProvider provider, string connectionString, IReadOnlyDictionary<string, string>? settings = null)
    {
        var dll = typeof(Program).Assembly.Location;
        var port = PostgresServer.FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var argument in new[]
        {
            dll, "--urls", address.ToString(),
            "--Storage:Provider", provider == StorageProvider.Sqlite ? "sqlite" : "postgres",
            "--ConnectionStrings:Homeroom", connectionString,
            "--Logging:LogLevel:Default", "Warning",
        })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.ArgumentList.Add("--" + key);
            start.ArgumentList.Add(value);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the service.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var service = new ServiceProcess(process, address);
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(process.HasExited, "The service exited during start-up.");
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
        throw new TimeoutException("The service did not start within 60 s.");
    }

    public ApiClient NewClient() => new(new HttpClient { BaseAddress = Address });

    /// <summary>SIGKILL: no shutdown hooks, no flushing, exactly like a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            await KillAsync();
        }

        process.Dispose();
    }
}
