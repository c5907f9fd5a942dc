using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Homeroom.Web;

/// <summary>
/// The body of <c>/health/ready</c>: the overall status and each check's status, description and data, as JSON
/// (<c>{"status":"Healthy","checks":{"database":{"status":"Healthy","description":"SQLite 3.53.4 answers.","data":{"engine":"SQLite","version":"3.53.4"}}}}</c>).
/// A failing check's exception is logged by the framework, never written here.
/// </summary>
public static class HealthReports
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new { status = entry.Value.Status.ToString(), description = entry.Value.Description, data = entry.Value.Data }),
        });
    }
}
