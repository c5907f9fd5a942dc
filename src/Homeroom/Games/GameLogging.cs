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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Game {GameId} taken over by this server: {Players} players, {Answers} answers; resumes at {Phase}")]
    public static partial void GameTakenOver(this ILogger logger, long gameId, int players, int answers, string phase);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Game {GameId}: server {Silo} did not take a message and is dropped until it comes back")]
    public static partial void ObserverDropped(this ILogger logger, Exception exception, long gameId, string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not reach the grain of game {GameId}")]
    public static partial void GrainUnreachable(this ILogger logger, Exception exception, long gameId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} live games of servers that are gone were handed to the cluster")]
    public static partial void Resumed(this ILogger logger, int count);
}
