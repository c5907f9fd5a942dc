using Homeroom.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Homeroom.Tests.Infrastructure;

/// <summary>
/// The real Homeroom service on real Kestrel (a loopback port), configured for one database. Tests talk
/// to it over HTTP exactly as a client would, so routing, binding, limits and headers are all real.
/// </summary>
public sealed class HomeroomApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> settings;
    private readonly Action<IServiceCollection>? configureServices;

    public HomeroomApp(StorageProvider provider, string connectionString, IDictionary<string, string?>? extra = null, Action<IServiceCollection>? configureServices = null)
    {
        Provider = provider;
        ConnectionString = connectionString;
        this.configureServices = configureServices;
        settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Storage:Provider"] = provider == StorageProvider.Sqlite ? "sqlite" : "postgres",
            ["ConnectionStrings:Homeroom"] = connectionString,
            ["Homeroom:AuthRequestsPerMinutePerClient"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware"] = "None",
            // Every app is its own server (a shared name would mean "a restart of the same server").
            ["Homeroom:InstanceName"] = "test-" + Guid.NewGuid().ToString("N")[..12],
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        UseKestrel(0);
    }

    public StorageProvider Provider { get; }

    public string ConnectionString { get; }

    public ManualClock Clock { get; } = new();

    /// <summary>Where Kestrel listens (a free loopback port chosen at start).</summary>
    public Uri BaseAddress
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            return new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        }
    }

    public T Service<T>() where T : notnull
    {
        StartServer();
        return Services.GetRequiredService<T>();
    }

    /// <summary>A client that keeps cookies, as a browser would, and does not follow redirects.</summary>
    public HttpClient NewClient()
    {
        return CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = BaseAddress, AllowAutoRedirect = false, HandleCookies = true });
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<IStartupFilter, FaultInjection>();
            configureServices?.Invoke(services);
        });
    }

    /// <summary>Adds GET /api/test/crash, which throws, so the tests can see how a real fault is answered.</summary>
    private sealed class FaultInjection : IStartupFilter
    {
        // Added after the app's own pipeline, so it runs inside the app's exception handler, where a
        // request that no endpoint took (like this one) ends up.
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Use((context, nextMiddleware) => context.Request.Path == "/api/test/crash"
                ? throw new InvalidOperationException("A deliberate fault with a secret detail: SECRET-7731")
                : nextMiddleware(context));
        };
    }
}

/// <summary>
/// A clock the tests move by hand. It starts at the real current time. Its timers (live games' question
/// timers) fire only when the clock is moved past their due time, on the thread that moves it, earliest first.
/// </summary>
public sealed class ManualClock : TimeProvider
{
    private readonly Lock gate = new();
    private readonly List<ManualTimer> timers = [];
    private long ticks = DateTimeOffset.UtcNow.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by)
    {
        Interlocked.Add(ref ticks, by.Ticks);
        FireDue();
    }

    public void Set(DateTimeOffset now)
    {
        Interlocked.Exchange(ref ticks, now.UtcTicks);
        FireDue();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void FireDue()
    {
        while (true)
        {
            ManualTimer? due;
            lock (gate)
            {
                var now = Interlocked.Read(ref ticks);
                due = timers.Where(t => t.DueAt <= now).MinBy(t => t.DueAt);
                if (due is null)
                {
                    return;
                }

                if (due.Period > TimeSpan.Zero && due.Period != Timeout.InfiniteTimeSpan)
                {
                    due.DueAt += due.Period.Ticks;
                }
                else
                {
                    timers.Remove(due);
                }
            }

            due.Fire();
        }
    }

    private sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        public long DueAt { get; set; }

        public TimeSpan Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock.gate)
            {
                clock.timers.Remove(this);
                Period = period;
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    DueAt = Interlocked.Read(ref clock.ticks) + dueTime.Ticks;
                    clock.timers.Add(this);
                }
            }

            if (dueTime == TimeSpan.Zero)
            {
                // As with real timers, never on the caller's own stack.
                ThreadPool.QueueUserWorkItem(_ => clock.FireDue());
            }

            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (clock.gate)
            {
                clock.timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
