using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Homeroom.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster for the test run, made from the Debian binaries (initdb, pg_ctl) in a
/// temp directory on a free loopback port, and removed afterwards. PostgreSQL refuses to run as root, so
/// under root the cluster runs as the 'postgres' system user. One cluster serves the whole run; each
/// test app gets a database of its own. fsync is off: this cluster is not what the durability tests test.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static readonly Lazy<Task<PostgresServer?>> Shared = new(StartAsync);
    private readonly string directory;
    private readonly string binaries;
    private readonly string? runAs;

    private PostgresServer(string directory, string binaries, string? runAs, int port)
    {
        this.directory = directory;
        this.binaries = binaries;
        this.runAs = runAs;
        Port = port;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
    }

    public int Port { get; }

    public static string? BinDirectory =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;

    public static bool Installed => BinDirectory is not null;

    /// <summary>The run's cluster, started on first use; null when PostgreSQL is not installed.</summary>
    public static Task<PostgresServer?> GetAsync() => Shared.Value;

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "homeroom",
            Database = database,
            Pooling = true,
            MaxPoolSize = 20,
        }.ToString();

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "hr_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return ConnectionString(name);
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private static async Task<PostgresServer?> StartAsync()
    {
        if (BinDirectory is not { } binaries)
        {
            return null;
        }

        var runAs = Environment.UserName == "root" ? "postgres" : null;
        var directory = Path.Combine(Path.GetTempPath(), "homeroom-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        if (runAs is not null)
        {
            await RunAsync("chown", null, runAs, directory);
        }

        var port = FreePort();
        var data = Path.Combine(directory, "data");
        await RunAsync(Path.Combine(binaries, "initdb"), runAs, "-D", data, "-U", "homeroom", "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C.UTF-8");
        await RunAsync(Path.Combine(binaries, "pg_ctl"), runAs, "-D", data, "-l", Path.Combine(directory, "log"), "-w", "-t", "60",
            "-o", $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
            "start");
        return new PostgresServer(directory, binaries, runAs, port);
    }

    private void Stop()
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        try
        {
            RunAsync(Path.Combine(binaries, "pg_ctl"), runAs, "-D", Path.Combine(directory, "data"), "-m", "immediate", "-w", "stop").GetAwaiter().GetResult();
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        Directory.Delete(directory, recursive: true);
    }

    private static async Task RunAsync(string program, string? runAs, params string[] arguments)
    {
        var start = new ProcessStartInfo(runAs is null ? program : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (runAs is not null)
        {
            foreach (var a in new[] { "-u", runAs, "--", program })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}");
        // pg_ctl start leaves the server holding stdout open; read both streams without waiting for EOF past exit.
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error} {await output}");
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
