using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Homeroom.Tests.Infrastructure;

/// <summary>A hub method's refusal (a HubException on the server), with the message a page would show.</summary>
public sealed class HubCallException(string message) : Exception(message);

/// <summary>
/// A test's connection to the live-game hub through the official SignalR .NET client (<see cref="HubConnection"/>,
/// JSON protocol, as the pages use): calls that return the hub method's result as JSON, and every server event
/// queued for the test to wait on, whatever its name (so a new event needs no change here).
/// </summary>
public sealed class HubClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ConnectWait = TimeSpan.FromSeconds(60);
    private readonly List<(string Target, JsonElement Argument)> events = [];
    private readonly Lock gate = new();
    private TaskCompletionSource arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HubConnection? connection;

    private HubClient()
    {
    }

    /// <summary>Set when the connection ended (the server closed it, or the transport failed).</summary>
    public bool Closed { get; private set; }

    private HubConnection Connection => connection ?? throw new InvalidOperationException("Not connected.");

    /// <summary>
    /// Connects to the hub. <paramref name="skipNegotiation"/>: straight to a WebSocket without the negotiate request, as
    /// clients behind a round-robin load balancer must (negotiate and connect could otherwise reach different servers).
    /// </summary>
    public static async Task<HubClient> ConnectAsync(Uri baseAddress, string? accessToken = null, bool skipNegotiation = false)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        var client = new HubClient();
        var builder = new HubConnectionBuilder().WithUrl(new Uri(baseAddress, "/hubs/game"), options =>
        {
            if (skipNegotiation)
            {
                options.SkipNegotiation = true;
                options.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
            }

            if (accessToken is not null)
            {
                options.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
            }
        });
        // The official JSON protocol, watched so that every event the server sends is queued (HubConnection itself only
        // hands on events it has a handler for, by name).
        builder.Services.AddSingleton<IHubProtocol>(new WatchedProtocol(new JsonHubProtocol(), client.Received));
        client.connection = builder.Build();
        client.connection.Closed += _ =>
        {
            client.Ended();
            return Task.CompletedTask;
        };
        // Bounded: the WebSocket's own connect has no timeout, so a proxy that accepts the connection and never answers
        // would otherwise hold the test forever.
        using var timeout = new CancellationTokenSource(ConnectWait);
        try
        {
            await client.connection.StartAsync(timeout.Token);
        }
        catch (HubException refused)
        {
            await client.connection.DisposeAsync();
            throw new HubCallException(refused.Message);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            await client.connection.DisposeAsync();
            throw new TimeoutException($"The hub at {baseAddress} did not accept a connection within {ConnectWait.TotalSeconds} s.");
        }

        return client;
    }

    /// <summary>Calls a hub method and returns its result (null JSON for void methods); a refusal throws <see cref="HubCallException"/>.</summary>
    public async Task<JsonElement> InvokeAsync(string target, params object?[] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        try
        {
            var result = await Connection.InvokeCoreAsync(target, typeof(JsonElement), arguments).WaitAsync(DefaultWait);
            return result is JsonElement json ? json : default;
        }
        catch (HubException refused)
        {
            throw new HubCallException(refused.Message);
        }
        catch (Exception ended) when (ended is InvalidOperationException or TaskCanceledException && Connection.State != HubConnectionState.Connected)
        {
            throw new HubCallException("The connection closed.");
        }
    }

    /// <summary>The next not yet taken event called <paramref name="target"/>, waiting for it if needed.</summary>
    public async Task<JsonElement> NextAsync(string target, TimeSpan? wait = null)
    {
        using var timeout = new CancellationTokenSource(wait ?? DefaultWait);
        while (true)
        {
            Task signal;
            lock (gate)
            {
                var at = events.FindIndex(e => e.Target == target);
                if (at >= 0)
                {
                    var found = events[at].Argument;
                    events.RemoveAt(at);
                    return found;
                }

                if (Closed)
                {
                    throw new InvalidOperationException($"The connection closed before a '{target}' event arrived.");
                }

                signal = arrived.Task;
            }

            try
            {
                await signal.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No '{target}' event arrived; got: {string.Join(", ", Received())}");
            }
        }
    }

    /// <summary>The names of the events received and not yet taken.</summary>
    public IReadOnlyList<string> Received()
    {
        lock (gate)
        {
            return [.. events.Select(e => e.Target)];
        }
    }

    /// <summary>Drops every event received so far.</summary>
    public void Forget()
    {
        lock (gate)
        {
            events.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }

    private void Received(string target, JsonElement argument)
    {
        lock (gate)
        {
            events.Add((target, argument));
            var signal = arrived;
            arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            signal.TrySetResult();
        }
    }

    private void Ended()
    {
        lock (gate)
        {
            Closed = true;
            arrived.TrySetResult();
        }
    }

    /// <summary>
    /// The official JSON hub protocol, unchanged, that also hands every event the server sends (an invocation without an id)
    /// to <paramref name="onEvent"/>; events nobody registered a handler for are read as one JSON argument.
    /// </summary>
    private sealed class WatchedProtocol(IHubProtocol inner, Action<string, JsonElement> onEvent) : IHubProtocol
    {
        public string Name => inner.Name;

        public int Version => inner.Version;

        public TransferFormat TransferFormat => inner.TransferFormat;

        public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
        {
            if (!inner.TryParseMessage(ref input, new AnyEventBinder(binder), out message))
            {
                return false;
            }

            if (message is InvocationMessage { InvocationId: null } invocation)
            {
                onEvent(invocation.Target, invocation.Arguments is [JsonElement argument, ..] ? argument : default);
            }

            return true;
        }

        public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(message, output);

        public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);

        public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);
    }

    /// <summary>The connection's binder, except that an event with no handler takes one argument of any JSON.</summary>
    private sealed class AnyEventBinder(IInvocationBinder inner) : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) =>
            inner.GetParameterTypes(methodName) is { Count: > 0 } types ? types : [typeof(JsonElement)];

        public Type GetReturnType(string invocationId) => inner.GetReturnType(invocationId);

        public Type GetStreamItemType(string streamId) => inner.GetStreamItemType(streamId);
    }
}
