using Dapper;
using Homeroom.Storage;

namespace Homeroom.Images;

/// <summary>
/// Deletes the images no quiz uses once they have not been touched for <see cref="Grace"/>: uploaded and never saved
/// in a quiz, removed from every question, or left behind by a deleted quiz. The grace period lets a game or an
/// assignment that is still showing a picture finish with it. Runs every hour on every server (the statement is the
/// same wherever it runs, so two servers sweeping at once do no harm).
/// </summary>
public sealed partial class ImageSweep(Database database, TimeProvider clock, ILogger<ImageSweep> logger) : IHostedService, IDisposable
{
    public static readonly TimeSpan Grace = TimeSpan.FromDays(7);

    public static readonly TimeSpan Every = TimeSpan.FromHours(1);

    private ITimer? timer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        timer = clock.CreateTimer(_ => _ = RunAsync(), null, TimeSpan.FromMinutes(1), Every);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public void Dispose() => timer?.Dispose();

    /// <summary>Deletes the images unused and untouched for the grace period before <paramref name="now"/>; returns how many.</summary>
    public Task<int> SweepAsync(DateTimeOffset now)
    {
        var cutoff = (now - Grace).ToUnixTimeMilliseconds();
        return database.WriteAsync((connection, transaction) => connection.ExecuteAsync(
            """
            DELETE FROM images WHERE touched_at < @cutoff
            AND NOT EXISTS (SELECT 1 FROM quiz_images r WHERE r.image_id = images.id)
            """,
            new { cutoff }, transaction));
    }

    private async Task RunAsync()
    {
        try
        {
            var deleted = await SweepAsync(clock.GetUtcNow());
            if (deleted > 0)
            {
                LogSwept(deleted);
            }
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or ObjectDisposedException)
        {
            LogFailed(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} images no quiz uses")]
    private partial void LogSwept(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The image sweep failed; it runs again within the hour")]
    private partial void LogFailed(Exception exception);
}
