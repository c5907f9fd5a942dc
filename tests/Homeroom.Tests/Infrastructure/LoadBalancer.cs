using System.Diagnostics;

namespace Homeroom.Tests.Infrastructure;

/// <summary>
/// A real HAProxy (Debian's haproxy) or nginx (Debian's nginx) in front of several servers on loopback, plain
/// round-robin with no stickiness: every new connection (an HTTP request's, a WebSocket's) goes to the next server in
/// turn. The configurations are docs/deployment.md's examples without TLS; everything the balancer writes (pid file,
/// logs, nginx's temp files) is in a temp directory, so it runs as any user.
/// </summary>
public sealed class LoadBalancer : IAsyncDisposable
{
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(10);
    private readonly Process process;
    private readonly string directory;
    private readonly string name;

    private LoadBalancer(Process process, string directory, string name, Uri address)
    {
        this.process = process;
        this.directory = directory;
        this.name = name;
        Address = address;
    }

    public enum Kind
    {
        HAProxy,
        Nginx,
    }

    public Uri Address { get; }

    public static string? Binary(Kind kind) => (kind == Kind.Nginx
        ? new[] { "/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx" }
        : new[] { "/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy" }).FirstOrDefault(File.Exists);

    public static async Task<LoadBalancer> StartAsync(IReadOnlyList<int> ports, Kind kind = Kind.HAProxy)
    {
        ArgumentNullException.ThrowIfNull(ports);
        var name = kind == Kind.Nginx ? "nginx" : "haproxy";
        var binary = Binary(kind) ?? throw new InvalidOperationException($"{name} is not installed.");
        var port = PostgresServer.FreePort();
        var directory = Path.Combine(Path.GetTempPath(), "homeroom-lb-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var arguments = kind == Kind.Nginx ? await NginxAsync(directory, port, ports) : await HAProxyAsync(directory, port, ports);
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {name}.");
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, line) => output.Enqueue(line.Data ?? "");
        process.ErrorDataReceived += (_, line) => output.Enqueue(line.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var balancer = new LoadBalancer(process, directory, name, new Uri($"http://127.0.0.1:{port}"));
        using var http = new HttpClient { BaseAddress = balancer.Address, Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (process.HasExited)
            {
                var log = Path.Combine(directory, "error.log");
                var said = string.Join('\n', output) + (File.Exists(log) ? "\n" + await File.ReadAllTextAsync(log) : "");
                await balancer.DisposeAsync();
                Assert.Fail($"{name} exited at start:\n{said}");
            }

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
        throw new TimeoutException($"{name} did not answer.");
    }

    /// <summary>
    /// docs/deployment.md's HAProxy example: round-robin, no stickiness, WebSockets kept open (timeout tunnel), a server
    /// that does not answer /health skipped, a connection refused tried on the next server.
    /// </summary>
    private static async Task<string[]> HAProxyAsync(string directory, int port, IReadOnlyList<int> ports)
    {
        var config = Path.Combine(directory, "haproxy.cfg");
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
        return ["-db", "-f", config];
    }

    /// <summary>
    /// docs/deployment.md's nginx example for several servers: round-robin, no stickiness, a server that refuses connections
    /// skipped, the WebSocket upgrade passed on. In the foreground with its master process (as a service runs it), and
    /// with its prefix (-p) in the temp directory: the pid file, error log (-e, so that nginx does not first try its
    /// built-in log path) and temp paths are relative to it. No "user" directive: as root the workers run as nobody,
    /// otherwise as the user running the tests.
    /// </summary>
    private static async Task<string[]> NginxAsync(string directory, int port, IReadOnlyList<int> ports)
    {
        var config = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(config, $$"""
            daemon off;
            master_process on;
            worker_processes 1;
            pid nginx.pid;
            error_log error.log;
            events {
                worker_connections 1024;
            }
            http {
                access_log off;
                client_body_temp_path body;
                proxy_temp_path proxy;
                fastcgi_temp_path fastcgi;
                uwsgi_temp_path uwsgi;
                scgi_temp_path scgi;

                map $http_upgrade $connection_upgrade {
                    default upgrade;
                    ''      close;
                }

                upstream homeroom {
            {{string.Join('\n', ports.Select(p => $"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;"))}}
                }

                server {
                    listen 127.0.0.1:{{port}};
                    client_max_body_size 256m;
                    location / {
                        proxy_pass http://homeroom;
                        proxy_next_upstream error timeout http_502 http_503;
                        proxy_http_version 1.1;
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection $connection_upgrade;
                        proxy_read_timeout 120s;
                        proxy_set_header Host $host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        proxy_set_header X-Forwarded-Host $host;
                    }
                }
            }

            """);
        return ["-p", directory, "-c", config, "-e", Path.Combine(directory, "error.log")];
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

    /// <summary>
    /// SIGTERM, then a bounded wait. nginx's master stops its workers before it exits; a SIGKILL to the master alone would
    /// leave them running, still serving the port and holding the redirected output open, so that waiting for the
    /// process (which waits for the end of that output) never returned. Whatever is left after the wait is killed.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill!.WaitForExitAsync();
            }
        }

        if (!await ExitedAsync())
        {
            Abandon();
            if (!await ExitedAsync())
            {
                throw new TimeoutException($"{name} (process {process.Id}) did not exit.");
            }
        }

        process.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private async Task<bool> ExitedAsync()
    {
        using var wait = new CancellationTokenSource(StopWait);
        try
        {
            await process.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
