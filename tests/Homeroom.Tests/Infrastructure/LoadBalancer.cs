using System.Diagnostics;

namespace Homeroom.Tests.Infrastructure;

/// <summary>
/// A real HAProxy (Debian's haproxy) in front of several servers on loopback, plain round-robin with no stickiness:
/// every new connection (an HTTP request's, a WebSocket's) goes to the next server in turn.
/// </summary>
public sealed class LoadBalancer : IAsyncDisposable
{
    private readonly Process process;
    private readonly string directory;

    private LoadBalancer(Process process, string directory, Uri address)
    {
        this.process = process;
        this.directory = directory;
        Address = address;
    }

    public Uri Address { get; }

    public static string? Binary => new[] { "/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy" }.FirstOrDefault(File.Exists);

    public static bool Installed => Binary is not null;

    public static async Task<LoadBalancer> StartAsync(IReadOnlyList<int> ports)
    {
        ArgumentNullException.ThrowIfNull(ports);
        var port = PostgresServer.FreePort();
        var directory = Path.Combine(Path.GetTempPath(), "homeroom-lb-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "haproxy.cfg");
        // The same shape as docs/deployment.md's example: round-robin, no stickiness, WebSockets kept open (timeout tunnel), a
        // server that does not answer /health skipped, a connection refused tried on the next server.
        await File.WriteAllTextAsync(config, $"""
            defaults
                mode http
                timeout connect 2s
                timeout client 60s
                timeout server 60s
                timeout tunnel 1h
            frontend homeroom
                bind 127.0.0.1:{port}
                default_backend servers
            backend servers
                balance roundrobin
                option redispatch
                retries 3
                option httpchk GET /health
            {string.Join('\n', ports.Select((p, i) => $"    server s{i} 127.0.0.1:{p} check inter 500ms fall 2 rise 1"))}

            """);
        var start = new ProcessStartInfo(Binary ?? throw new InvalidOperationException("haproxy is not installed."))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-db", "-f", config })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start haproxy.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var balancer = new LoadBalancer(process, directory, new Uri($"http://127.0.0.1:{port}"));
        using var http = new HttpClient { BaseAddress = balancer.Address, Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 100; attempt++)
        {
            Assert.False(process.HasExited, "haproxy exited at start.");
            try
            {
                if ((await http.GetAsync(new Uri("/health", UriKind.Relative))).IsSuccessStatusCode)
                {
                    return balancer;
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

        await balancer.DisposeAsync();
        throw new TimeoutException("haproxy did not answer.");
    }

    /// <summary>SIGKILL to the balancer and its children without waiting: for a test that ran out of time.</summary>
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

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
        Directory.Delete(directory, recursive: true);
    }
}
