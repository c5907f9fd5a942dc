namespace Homeroom.Games;

internal static partial class GameLogging
{
    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store live-game records")]
    public static partial void RecordsFailed(this ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store a live-game {Kind} record for game {GameId}")]
    public static partial void RecordFailed(this ILogger logger, Exception exception, string kind, long gameId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not drop unplayed game {GameId}")]
    public static partial void UnplayedNotDropped(this ILogger logger, Exception exception, long gameId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Interrupted} live games of servers that are gone were marked interrupted; {Dropped} of their unstarted lobbies dropped")]
    public static partial void Recovered(this ILogger logger, int interrupted, int dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not look for the games of servers that are gone")]
    public static partial void SweepFailed(this ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Game {GameId}: a message could not be sent")]
    public static partial void SendFailed(this ILogger logger, Exception exception, long gameId);
}
