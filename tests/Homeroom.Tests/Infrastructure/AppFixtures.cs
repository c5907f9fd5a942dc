using Homeroom.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Homeroom.Tests.Infrastructure;

/// <summary>A running app on one database, shared by the tests of one class.</summary>
public abstract class AppFixture : IAsyncLifetime
{
    private HomeroomApp? app;

    public abstract StorageProvider Provider { get; }

    /// <summary>False when the database this fixture needs is not installed (the tests then skip, or fail under strict mode).</summary>
    public bool Available { get; private set; } = true;

    public HomeroomApp App => app ?? throw new InvalidOperationException("The app did not start.");

    public async ValueTask InitializeAsync()
    {
        var connectionString = await CreateDatabaseAsync();
        if (connectionString is null)
        {
            Available = false;
            return;
        }

        app = new HomeroomApp(Provider, connectionString);
        _ = app.BaseAddress;
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>A fresh, empty database for one more app; null when the database is not installed.</summary>
    public abstract Task<string?> CreateDatabaseAsync();

    /// <summary>
    /// Starts another app (for tests that need their own settings or services), on a fresh database or,
    /// to test a restart, on the database of an app that has been stopped.
    /// </summary>
    public async Task<HomeroomApp> StartAppAsync(
        IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, string? connectionString = null)
    {
        connectionString ??= await CreateDatabaseAsync() ?? throw new InvalidOperationException("No database.");
        var other = new HomeroomApp(Provider, connectionString, settings, services);
        _ = other.BaseAddress;
        return other;
    }
}

public sealed class SqliteFixture : AppFixture
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "homeroom-tests", Guid.NewGuid().ToString("N")[..12]);

    public override StorageProvider Provider => StorageProvider.Sqlite;

    public override Task<string?> CreateDatabaseAsync()
    {
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, Guid.NewGuid().ToString("N")[..8] + ".db");
        return Task.FromResult<string?>($"Data Source={file}");
    }
}

public sealed class PostgresFixture : AppFixture
{
    public override StorageProvider Provider => StorageProvider.Postgres;

    public override async Task<string?> CreateDatabaseAsync()
    {
        var server = await PostgresServer.GetAsync();
        return server is null ? null : await server.CreateDatabaseAsync();
    }
}

/// <summary>
/// Base of every test class that runs on both databases: the class is written once, against
/// <see cref="AppFixture"/>, and two one-line subclasses bind it to SQLite and PostgreSQL.
/// </summary>
public abstract class AppTests(AppFixture fixture)
{
    protected AppFixture Fixture { get; } = Check(fixture);

    protected HomeroomApp App => Fixture.App;

    protected ApiClient Anonymous() => new(App.NewClient());

    protected Task<Teacher> SignUpAsync(string? username = null, string password = Teacher.DefaultPassword) =>
        Teacher.SignUpAsync(App, username, password);

    private static AppFixture Check(AppFixture fixture)
    {
        TestEnvironment.Require(fixture.Available, "PostgreSQL (the postgresql Debian package)");
        return fixture;
    }
}
