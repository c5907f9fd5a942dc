using System.Diagnostics;

namespace Homeroom.Tests.Infrastructure;

/// <summary>
/// A real HAProxy (Debian's haproxy) or nginx (nginx-light) in front of several servers on loopback, plain round-robin
/// with no stickiness: every new connection (an HTTP request's, a WebSocket's) goes to the next server in turn. The
/// configurations are docs/deployment.md's examples without TLS.
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

    public static string? NginxBinary => new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists);

    public static bool NginxInstalled => NginxBinary is not null;

    public static async Task<LoadBalancer> StartAsync(IReadOnlyList<int> ports, bool nginx = false)
    {
        ArgumentNullException.ThrowIfNull(ports);
        var port = PostgresServer.FreePort();
        var directory = Path.Combine(Path.GetTempPath(), "homeroom-lb-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        if (nginx)
        {
            return await RunAsync(NginxBinary ?? throw new InvalidOperationException("nginx is not installed."), directory, port, await NginxConfigAsync(directory, port, ports));
        }

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
        return await RunAsync(Binary ?? throw new InvalidOperationException("haproxy is not installed."), directory, port, ["-db", "-f", config]);
    }

    private static async Task<string[]> NginxConfigAsync(string directory, int port, IReadOnlyList<int> ports)
    {
        var config = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(config, $$"""
            daemon off;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                map $http_upgrade $connection_upgrade {
                    default upgrade;
                    ''      close;
                }
                upstream homeroom {
            {{string.Join('\n', ports.Select(p => $"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;"))}}
                }
                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        proxy_pass http://homeroom;
                        proxy_next_upstream error timeout http_502 http_503;
                        proxy_http_version 1.1;
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection $connection_upgrade;
                        proxy_read_timeout 120s;
                        proxy_set_header Host $host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    }
                }
            }

            """);
        return ["-c", config];
    }

    private static async Task<LoadBalancer> RunAsync(string binary, string directory, int port, string[] arguments)
    {
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
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
            Assert.False(process.HasExited, $"{binary} exited at start.");
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
        throw new TimeoutException($"{binary} did not answer.");
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
