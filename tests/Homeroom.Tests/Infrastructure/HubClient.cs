using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Homeroom.Tests.Infrastructure;

/// <summary>A hub method's refusal (a HubException on the server), with the message a page would show.</summary>
public sealed class HubCallException(string message) : Exception(message);

/// <summary>
/// A SignalR client speaking the JSON hub protocol over a plain WebSocket, written from the protocol's
/// specification (there is no .NET SignalR client here, and this is exactly what any other client would
/// do): handshake, invocations with completions, and server events queued for the test to wait on.
/// </summary>
public sealed class HubClient : IAsyncDisposable
{
    private const char Separator = '\u001e';
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(15);
    private readonly ClientWebSocket socket = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> pending = new();
    private readonly List<(string Target, JsonElement Argument)> events = [];
    private readonly Lock gate = new();
    private readonly SemaphoreSlim sending = new(1, 1);
    private TaskCompletionSource arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? receiving;
    private int nextId;

    private HubClient()
    {
    }

    /// <summary>Set when the server closed the connection (a close message, or the socket ended).</summary>
    public bool Closed { get; private set; }

    public static async Task<HubClient> ConnectAsync(Uri baseAddress, string? accessToken = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        var client = new HubClient();
        var url = new UriBuilder(baseAddress) { Scheme = baseAddress.Scheme == "https" ? "wss" : "ws", Path = "/hubs/game" };
        if (accessToken is not null)
        {
            url.Query = "access_token=" + Uri.EscapeDataString(accessToken);
        }

        await client.socket.ConnectAsync(url.Uri, CancellationToken.None);
        await client.SendFrameAsync("""{"protocol":"json","version":1}""");
        var handshake = await client.ReadMessagesAsync();
        using (var reply = JsonDocument.Parse(handshake[0]))
        {
            if (reply.RootElement.TryGetProperty("error", out var error))
            {
                throw new HubCallException(error.GetString()!);
            }
        }

        client.receiving = Task.Run(client.ReceiveLoopAsync);
        return client;
    }

    /// <summary>Calls a hub method and returns its result (null JSON for void methods); a refusal throws <see cref="HubCallException"/>.</summary>
    public async Task<JsonElement> InvokeAsync(string target, params object?[] arguments)
    {
        var id = Interlocked.Increment(ref nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = completion;
        await SendFrameAsync(JsonSerializer.Serialize(new { type = 1, invocationId = id, target, arguments }, ApiClient.Json));
        return await completion.Task.WaitAsync(DefaultWait);
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

    private async Task SendFrameAsync(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json + Separator);
        await sending.WaitAsync();
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            sending.Release();
        }
    }

    private async Task<List<string>> ReadMessagesAsync()
    {
        var buffer = new byte[16 * 1024];
        var text = new StringBuilder();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return [];
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            if (result.EndOfMessage && text.Length > 0 && text[^1] == Separator)
            {
                return [.. text.ToString().Split(Separator, StringSplitOptions.RemoveEmptyEntries)];
            }
        }
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var messages = await ReadMessagesAsync();
                if (messages.Count == 0)
                {
                    break;
                }

                foreach (var message in messages)
                {
                    Handle(message);
                }
            }
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            lock (gate)
            {
                Closed = true;
                arrived.TrySetResult();
            }

            foreach (var call in pending.Values)
            {
                call.TrySetException(new HubCallException("The connection closed."));
            }
        }
    }

    private void Handle(string message)
    {
        using var document = JsonDocument.Parse(message);
        var root = document.RootElement;
        switch (root.GetProperty("type").GetInt32())
        {
            case 1:
                var argument = root.GetProperty("arguments").EnumerateArray().FirstOrDefault().Clone();
                lock (gate)
                {
                    events.Add((root.GetProperty("target").GetString()!, argument));
                    var signal = arrived;
                    arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    signal.TrySetResult();
                }

                break;
            case 3 when pending.TryRemove(root.GetProperty("invocationId").GetString()!, out var call):
                if (root.TryGetProperty("error", out var error))
                {
                    call.TrySetException(new HubCallException(error.GetString()!));
                }
                else
                {
                    call.TrySetResult(root.TryGetProperty("result", out var result) ? result.Clone() : default);
                }

                break;
            case 7:
                lock (gate)
                {
                    Closed = true;
                    arrived.TrySetResult();
                }

                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (socket.State == WebSocketState.Open)
        {
            try
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
            catch (WebSocketException)
            {
            }
        }

        if (receiving is not null)
        {
            await receiving.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        socket.Dispose();
        sending.Dispose();
    }
}
