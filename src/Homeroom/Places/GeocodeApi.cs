using Homeroom.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Homeroom.Places;

/// <summary>
/// Search by the name of a town or a US ZIP code (<see cref="Gazetteer"/>): <c>GET /api/places/geocode?q=</c>,
/// and the <c>q</c> of <c>GET /api/places/near</c>. No sign-in needed.
/// </summary>
public static class GeocodeApi
{
    public const int MaxQuery = 200;
    public const int MaxChoices = 50;

    public static void MapGeocode(this RouteGroupBuilder places) =>
        places.MapGet("/geocode", Geocode).WithSummary(
            "Towns (GeoNames, 1,000 people or more) and US ZIP codes by name, most populous first: ?q=Portland, OR&limit=10. " +
            "unique says whether the first is the one meant (the only match, or 20 times more populous than the next).")
            .Problem(StatusCodes.Status404NotFound, "No town or ZIP code matches q (errors.q says why).");

    private static Results<Ok<GeoAnswer>, ValidationProblem, ProblemHttpResult> Geocode(string? q, string? limit)
    {
        var errors = new ValidationErrors();
        var text = Query(errors, q);
        var count = 10;
        if (!string.IsNullOrWhiteSpace(limit)
            && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count)
                || count is < 1 or > MaxChoices))
        {
            errors.Add("limit", $"limit must be a whole number from 1 to {MaxChoices}.");
        }

        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        return Gazetteer.Find(text!, count, out var miss) is { } answer ? TypedResults.Ok(answer) : NoMatch(miss!);
    }

    /// <summary>Checks <c>q</c>: required, at most <see cref="MaxQuery"/> characters, no control characters.</summary>
    internal static string? Query(ValidationErrors errors, string? q) => errors.RequireText("q", q, MaxQuery);

    /// <summary>
    /// Where <c>near?q=</c> searches from: the one town meant, or a problem: 404 when nothing matches, 422 with
    /// the <c>choices</c> (most populous first) when the name is several towns and none stands out.
    /// </summary>
    internal static (GeoMatch? Origin, ProblemHttpResult? Problem) Origin(string q)
    {
        if (Gazetteer.Find(q, 10, out var miss) is not { } answer)
        {
            return (null, NoMatch(miss!));
        }

        if (answer.Unique)
        {
            return (answer.Matches[0], null);
        }

        var example = answer.Matches[0];
        var message = $"'{q}' is {(answer.Matches.Count >= 10 ? "many towns" : $"{answer.Matches.Count} towns")}, " +
            $"for example {string.Join("; ", answer.Matches.Take(3).Select(m => m.Label))}. Choose one: add the state or country " +
            $"(e.g. '{example.Name}, {example.RegionCode ?? example.CountryCode}'), or search by lat and lon.";
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "Which one?",
            Detail = message,
        };
        problem.Extensions["errors"] = new Dictionary<string, string[]> { ["q"] = [message] };
        problem.Extensions["choices"] = answer.Matches;
        return (null, TypedResults.Problem(problem));
    }

    private static ProblemHttpResult NoMatch(GeoMiss miss)
    {
        var problem = new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = "No such town", Detail = miss.Message };
        problem.Extensions["errors"] = new Dictionary<string, string[]> { ["q"] = [miss.Message] };
        return TypedResults.Problem(problem);
    }
}
