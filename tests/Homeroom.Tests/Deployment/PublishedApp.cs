using System.Diagnostics;

namespace Homeroom.Tests.Deployment;

/// <summary>
/// The service as `dotnet publish` lays it out, made once per test run (from the build the tests already made:
/// <c>--no-build</c>, so it costs seconds, not a compile) into a temporary folder.
/// </summary>
public static class PublishedApp
{
    private static readonly Lazy<Task<string>> Folder = new(PublishAsync);

    /// <summary>The published Homeroom.dll.</summary>
    public static async Task<string> DllAsync() => Path.Combine(await Folder.Value, "Homeroom.dll");

    private static async Task<string> PublishAsync()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Homeroom.slnx")))
        {
            root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar)) ?? throw new InvalidOperationException("The repository root is not above the tests.");
        }

        // bin/<Configuration>/net10.0/: publish the configuration the tests were built in.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var output = Path.Combine(Path.GetTempPath(), "homeroom-tests", "published-" + Guid.NewGuid().ToString("N")[..8]);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        foreach (var argument in new[] { "publish", Path.Combine(root, "src", "Homeroom", "Homeroom.csproj"), "-c", configuration, "--no-build", "-o", output, "-nologo" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not run dotnet publish.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        }

        return output;
    }
}
