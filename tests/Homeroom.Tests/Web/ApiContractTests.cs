using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Homeroom.Images;
using Homeroom.Storage;
using Homeroom.Tests.Images;
using Homeroom.Tests.Infrastructure;
using Homeroom.Tests.Reports;

namespace Homeroom.Tests.Web;

/// <summary>
/// The OpenAPI document against the service's real answers. (a) The contract: every documented operation is
/// called with a valid request and with the realistic wrong ones (signed out, an unknown id, another teacher's id,
/// a wrong content type, malformed JSON, a body too large, a cookie write without the antiforgery token), and every
/// answer's status, content type and JSON shape must be in the document for that operation. (b) The fuzz: requests
/// generated from the document's schemas and mutated (wrong types, missing fields, huge strings, negative and
/// overflowing numbers, script, unknown enum values, deep nesting) never get a 5xx nor an undocumented answer.
/// Failures name the operation. A new endpoint is covered without change (ids and bodies come from the document);
/// a valid example in <see cref="Examples"/> makes its success case checked too.
/// </summary>
public abstract class ApiContractTests(AppFixture fixture) : AppTests(fixture)
{
    private const string UnknownId = "987654321";

    /// <summary>Operations anyone may use on another teacher's (public) things, so they need not answer 404 to teacher B.</summary>
    // Letters only, no vowels and none of the letters the nickname check reads as a digit swap, so a random
    // name can never spell a blocked word (a hex name like "Pupil a55e12" sometimes did).
    private static string PupilName() =>
        "Pupil " + string.Concat(Enumerable.Range(0, 6).Select(_ => "bcdhjlmnpqrvz"[Random.Shared.Next(13)]));

    private static readonly HashSet<string> Shared =
    [
        "GET /api/quizzes/{id}", "POST /api/quizzes/{id}/copy", "PUT /api/quizzes/{id}/favorite", "DELETE /api/quizzes/{id}/favorite",
        "GET /api/quizzes/{id}/export", "GET /api/quizzes/{id}/export/check", "GET /api/places/{id}", "GET /api/play/{pin}",
        // A question's picture for players: the sealed address is the credential.
        "GET /api/play/images/{token}",
        // Students' assignment routes: the code (and the token) are the credential, not the teacher.
        "GET /api/a/{code}", "POST /api/a/{code}/start", "POST /api/a/{code}/next", "POST /api/a/{code}/answers",
    ];

    [Fact]
    public async Task Every_documented_operation_answers_only_what_the_document_says()
    {
        await using var app = await StartAsync();
        var world = await World.CreateAsync(app);
        var contract = await ApiContract.LoadAsync(world.A.Api);
        var failures = new List<string>();
        async Task Check(ApiOperation operation, HttpResponseMessage response, string what, params HttpStatusCode[] expected)
        {
            if (await contract.CheckAsync(operation, response, what) is { } failure)
            {
                failures.Add(failure);
            }
            else if (expected.Length > 0 && !expected.Contains(response.StatusCode))
            {
                failures.Add($"{operation.Key} ({what}): expected {string.Join(" or ", expected.Select(e => (int)e))}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }

        foreach (var operation in contract.Operations)
        {
            var example = Examples.TryGetValue(operation.Key, out var make) ? await make(world) : null;
            var request = example ?? Generated(world, operation, contract);
            var client = request.Client ?? world.A.Api;

            // The valid request (for an operation without an example, one generated from the document).
            var valid = await request.SendAsync(client, operation);
            await Check(operation, valid, example is null ? "a request generated from the document" : "a valid request");
            if ((int)valid.StatusCode is < 200 or > 299)
            {
                failures.Add(example is null
                    ? $"{operation.Key}: a request generated from the document got {(int)valid.StatusCode}, so its success is unchecked: add a valid example to ApiContractTests.Examples."
                    : $"{operation.Key}: its valid example got {(int)valid.StatusCode}: {await valid.Content.ReadAsStringAsync()}");
            }

            // Signed out.
            using (var anonymous = new ApiClient(app.NewClient()))
            {
                var again = example is null ? request : await Examples[operation.Key](world);
                await Check(operation, await again.SendAsync(anonymous, operation), "signed out",
                    operation.RequiresSignIn ? [HttpStatusCode.Unauthorized] : []);
            }

            if (operation.PathParameters.Count > 0)
            {
                // An id that does not exist.
                var unknown = request with { Ids = operation.PathParameters.ToDictionary(p => p, p => p == "pin" ? "000000" : UnknownId) };
                await Check(operation, await unknown.SendAsync(client, operation), "an unknown id", HttpStatusCode.NotFound);

                // Another teacher's id: not found, never a leak (except what is public).
                var theirs = example is null ? request : await Examples[operation.Key](world);
                await Check(operation, await theirs.SendAsync(world.B.Api, operation), "another teacher's id",
                    Shared.Contains(operation.Key) || example is null ? [] : [HttpStatusCode.NotFound]);
            }

            var bodyTypes = operation.BodyContentTypes;
            if (bodyTypes.Count > 0)
            {
                var fresh = example is null ? request : await Examples[operation.Key](world);
                var json = bodyTypes.Contains("application/json");
                var wrongType = fresh with { Body = new ByteArrayContent([1, 2, 3]) };
                // A picture is the wrong thing for every upload but the one that takes pictures, which gets text instead.
                wrongType.Body!.Headers.ContentType = new MediaTypeHeaderValue((json && bodyTypes.Count == 1) || bodyTypes.Contains("image/png") ? "text/plain" : "image/png");
                await Check(operation, await wrongType.SendAsync(fresh.Client ?? world.A.Api, operation), "a wrong content type", HttpStatusCode.UnsupportedMediaType);

                if (json && bodyTypes.Count == 1)
                {
                    var malformed = fresh with { Body = RequestFuzzer.Json("{\"name\": \"unfinished") };
                    await Check(operation, await malformed.SendAsync(fresh.Client ?? world.A.Api, operation), "malformed JSON", HttpStatusCode.BadRequest);
                    var huge = fresh with { Body = RequestFuzzer.Json("{\"name\": \"" + new string('x', 1_100_000) + "\"}"), ExpectContinue = true };
                    await Check(operation, await huge.SendAsync(fresh.Client ?? world.A.Api, operation), "a body over 1 MiB", HttpStatusCode.RequestEntityTooLarge);
                }
            }

            if (operation.Method is not "GET" and not "HEAD" && operation.Path.StartsWith("/api/", StringComparison.Ordinal))
            {
                // The browser's cookie without the antiforgery header.
                var forged = example is null ? request : await Examples[operation.Key](world);
                await Check(operation, await forged.SendAsync(world.CookieOnly, operation), "a cookie write without X-CSRF-TOKEN", HttpStatusCode.BadRequest);
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} answers differ from the document:\n\n" + string.Join("\n\n", failures));
    }

    [Fact]
    public async Task Fuzzed_requests_never_get_a_server_error_or_an_undocumented_answer()
    {
        await using var app = await StartAsync();
        var world = await World.CreateAsync(app);
        var contract = await ApiContract.LoadAsync(world.A.Api);
        var failures = new List<string>();
        const int perOperation = 20;

        // Deleting the account or changing the password would end the session the rest of the run uses: those go last.
        foreach (var operation in contract.Operations.OrderBy(o => o.Path.StartsWith("/api/me", StringComparison.Ordinal) && o.Method != "GET"))
        {
            var fuzzer = new RequestFuzzer(contract, StableHash(operation.Key));
            for (var i = 0; i < perOperation; i++)
            {
                var request = Generated(world, operation, contract) with { Query = "" };
                var random = fuzzer.Random;
                if (operation.PathParameters.Count > 0 && random.Next(3) == 0)
                {
                    request = request with
                    {
                        Ids = operation.PathParameters.ToDictionary(p => p, _ => random.Next(3) switch
                        {
                            0 => "-1",
                            1 => "99999999999999999999999",
                            // Not "" (another route) nor NUL (Kestrel refuses the request line before any endpoint).
                            _ => RequestFuzzer.NastyStrings.Where(n => n.Trim().Length > 0 && !n.Contains('\0', StringComparison.Ordinal)).ElementAt(random.Next(8)),
                        }),
                    };
                }

                var query = operation.QueryParameters.Where(_ => random.Next(2) == 0)
                    .Select(p => p.GetProperty("name").GetString() + "=" + Uri.EscapeDataString(fuzzer.QueryValue(p.TryGetProperty("schema", out var s) ? s : default)));
                request = request with { Query = string.Join('&', query) };

                var types = operation.BodyContentTypes;
                if (operation.JsonBodySchema is { } schema && types.Contains("application/json"))
                {
                    request = request with { Body = RequestFuzzer.Json(fuzzer.MutatedJson(schema)) };
                }
                else if (types.Count > 0)
                {
                    var type = types[random.Next(types.Count)];
                    var text = random.Next(3) switch
                    {
                        0 => "name,category,lat,lon\n" + string.Join('\n', Enumerable.Range(0, 5).Select(_ => RequestFuzzer.NastyStrings[random.Next(RequestFuzzer.NastyStrings.Length)] + ",x,999,-999")),
                        1 => RequestFuzzer.NastyStrings[random.Next(RequestFuzzer.NastyStrings.Length)],
                        _ => Convert.ToBase64String(Enumerable.Range(0, 200).Select(_ => (byte)random.Next(256)).ToArray()),
                    };
                    HttpContent content;
                    if (type == "multipart/form-data" && random.Next(2) == 0)
                    {
                        // A well-formed form: with no file at all (curl -F x=1), or a file part under another name.
                        var form = new MultipartFormDataContent { { new StringContent(text), "x" } };
                        if (random.Next(2) == 0)
                        {
                            form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(text)), "upload", "list.csv");
                        }

                        content = form;
                    }
                    else
                    {
                        // Raw bytes, sometimes binary; a multipart type here has no boundary.
                        content = new ByteArrayContent(random.Next(4) == 0 ? [0, 159, 146, 150, 0xFF, 0xFE] : Encoding.UTF8.GetBytes(text));
                        content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
                    }

                    request = request with { Body = content };
                }

                var response = await request.SendAsync(world.A.Api, operation);
                if (await contract.CheckAsync(operation, response, $"fuzz #{i}: {request.Describe()}") is { } failure)
                {
                    failures.Add(failure);
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} fuzzed answers were server errors or undocumented:\n\n" + string.Join("\n\n", failures));
    }

    [Fact]
    public async Task Every_operation_is_documented_with_a_summary_a_success_and_the_answers_of_its_kind()
    {
        var contract = await ApiContract.LoadAsync(Anonymous());
        var failures = new List<string>();
        foreach (var operation in contract.Operations)
        {
            var statuses = operation.Responses.EnumerateObject().Select(r => r.Name).ToHashSet();
            void Require(bool condition, string what)
            {
                if (!condition)
                {
                    failures.Add($"{operation.Key}: {what} (it documents {string.Join(", ", statuses)})");
                }
            }

            Require(operation.Element.TryGetProperty("summary", out _), "no summary (.WithSummary)");
            Require(operation.Element.TryGetProperty("tags", out _), "no tag (.WithTags on its group)");
            Require(statuses.Any(s => s.StartsWith('2')), "no success response: declare it (TypedResults, Results<…> or .Produces)");
            Require(!operation.RequiresSignIn || statuses.Contains("401"), "requires sign-in but does not document 401");
            Require(operation.PathParameters.Count == 0 || statuses.Contains("404"), "has an id in its path but does not document 404");
            Require(operation.BodyContentTypes.Count == 0 || (statuses.Contains("413") && statuses.Contains("415") && statuses.Contains("400")),
                "reads a body but does not document 400, 413 and 415");
        }

        var schemes = contract.Document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("bearer").GetProperty("scheme").GetString());
        Assert.Equal("cookie", schemes.GetProperty("cookie").GetProperty("in").GetString());
        Assert.Equal("homeroom", schemes.GetProperty("cookie").GetProperty("name").GetString());
        var me = contract.Find("PATCH", "/api/me").Element.GetProperty("security");
        Assert.Equal(2, me.GetArrayLength());
        Assert.True(me[1].TryGetProperty("csrf", out _), "a cookie write needs the antiforgery header too");
        Assert.Equal(0, contract.Find("POST", "/api/auth/signup").Element.GetProperty("security").GetArrayLength());
        Assert.Contains(contract.Find("PUT", "/api/quizzes/{id}").Parameters, p => p.GetProperty("name").GetString() == "If-Match");
        Assert.True(contract.Find("PUT", "/api/quizzes/{id}").Responses.TryGetProperty("412", out _));
        Assert.True(contract.Find("GET", "/health/ready").Responses.TryGetProperty("503", out _));
        // classId is left out of a game's options when there is no class: not required.
        var settings = contract.Resolve(contract.Document.GetProperty("components").GetProperty("schemas").GetProperty("GameSettings"));
        Assert.DoesNotContain("classId", settings.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private Task<HomeroomApp> StartAsync() => Fixture.StartAppAsync(new Dictionary<string, string?>
    {
        // Thousands of requests from one address: the limiters are tested elsewhere.
        ["Homeroom:AuthRequestsPerMinutePerClient"] = "1000000",
        ["Homeroom:PinLookupsPerMinutePerClient"] = "1000000",
    });

    private static int StableHash(string text) => text.Aggregate(17, (hash, c) => unchecked((hash * 31) + c));

    /// <summary>A request made from the document alone: ids of the world's things by where they appear, a body from the schema.</summary>
    private static ApiRequest Generated(World world, ApiOperation operation, ApiContract contract)
    {
        var segments = operation.Path.Split('/');
        string IdFor(string parameter)
        {
            var index = Array.IndexOf(segments, "{" + parameter + "}");
            var owner = index > 0 ? segments[index - 1] : "";
            return parameter switch
            {
                "pin" => world.Pin,
                "studentId" => world.StudentId,
                "pickId" => world.PickId,
                "groupingId" => world.GroupingId,
                _ => owner switch
                {
                    "classes" => world.ClassId,
                    "quizzes" => world.QuizId,
                    "games" when operation.Path.StartsWith("/api/reports", StringComparison.Ordinal) => world.ReportGameId,
                    "games" => world.GameId,
                    "places" => world.PlaceId,
                    "imports" => world.ImportId,
                    _ => "1",
                },
            };
        }

        HttpContent? body = null;
        if (operation.JsonBodySchema is { } schema)
        {
            body = RequestFuzzer.Json(new RequestFuzzer(contract, 1).Valid(schema)?.ToJsonString() ?? "{}");
        }
        else if (operation.BodyContentTypes.Count > 0)
        {
            body = new StringContent("name\nAnn", Encoding.UTF8, operation.BodyContentTypes[0]);
        }

        return new ApiRequest(operation.PathParameters.ToDictionary(p => p, IdFor), "", body);
    }

    /// <summary>A valid request per operation; destructive ones make their own victim first.</summary>
    private static readonly Dictionary<string, Func<World, Task<ApiRequest>>> Examples = new()
    {
        ["POST /api/auth/signup"] = _ => Json(new { username = Teacher.NewUsername(), password = Teacher.DefaultPassword }),
        ["POST /api/auth/login"] = w => Json(new { username = w.A.Username, password = w.A.Password }),
        ["POST /api/auth/refresh"] = w => Json(new { refreshToken = w.RefreshToken }),
        ["GET /api/auth/session"] = _ => None(),
        ["POST /api/auth/logout"] = async w =>
        {
            // Signing out ends the session on the server: sign out a teacher of its own, not the run's.
            var victim = await Teacher.SignUpAsync(w.App);
            return (await None()) with { Client = victim.Api };
        },
        ["GET /api/auth/antiforgery"] = _ => None(),
        ["GET /api/me"] = _ => None(),
        ["PATCH /api/me"] = _ => Json(new { displayName = "Ada <b>L</b>" }),
        ["DELETE /api/me"] = async w =>
        {
            var victim = await Teacher.SignUpAsync(w.App);
            return (await Json(new { password = victim.Password })) with { Client = victim.Api };
        },
        ["POST /api/me/password"] = async w =>
        {
            var victim = await Teacher.SignUpAsync(w.App);
            return (await Json(new { currentPassword = victim.Password, newPassword = "another long password" })) with { Client = victim.Api };
        },
        ["GET /api/classes"] = _ => None(),
        ["POST /api/classes"] = _ => Json(new { name = "Class 7B" }),
        ["GET /api/classes/{id}"] = w => Ids(new() { ["id"] = w.ClassId }),
        ["PATCH /api/classes/{id}"] = w => Json(new { name = "Class 7C" }, new() { ["id"] = w.ClassId }),
        ["DELETE /api/classes/{id}"] = async w => await Ids(new() { ["id"] = await w.NewClassAsync() }),
        ["GET /api/classes/{id}/attendance"] = w => Ids(new() { ["id"] = w.ClassId }, "date=2026-01-05"),
        ["PUT /api/classes/{id}/attendance"] = w => Json(new { absent = Array.Empty<long>() }, new() { ["id"] = w.ClassId }),
        ["GET /api/classes/{id}/attendance/export"] = w => Ids(new() { ["id"] = w.ClassId }, "from=2026-01-05&to=2026-01-09&format=xlsx"),
        ["GET /api/classes/{id}/students"] = w => Ids(new() { ["id"] = w.ClassId }, "includeRemoved=true"),
        ["POST /api/classes/{id}/students"] = w => Json(new { name = "Dora", pronouns = "she/her" }, new() { ["id"] = w.ClassId }),
        ["GET /api/classes/{id}/students/{studentId}"] = w => Ids(new() { ["id"] = w.ClassId, ["studentId"] = w.StudentId }),
        ["PATCH /api/classes/{id}/students/{studentId}"] = w => Json(new { preferredName = "Annie" }, new() { ["id"] = w.ClassId, ["studentId"] = w.StudentId }),
        ["DELETE /api/classes/{id}/students/{studentId}"] = async w => await Ids(new() { ["id"] = w.ClassId, ["studentId"] = await w.NewStudentAsync() }),
        ["POST /api/classes/{id}/students/import"] = w => Text("Eli\nFay\n", "text/plain", new() { ["id"] = w.ClassId }),
        ["GET /api/classes/{id}/students/export"] = w => Ids(new() { ["id"] = w.ClassId }),
        ["POST /api/classes/{id}/picks"] = w => Json(new { mode = "random" }, new() { ["id"] = w.ClassId }),
        ["GET /api/classes/{id}/picks"] = w => Ids(new() { ["id"] = w.ClassId }, "page=1&pageSize=10"),
        ["PATCH /api/classes/{id}/picks/{pickId}"] = async w => await Json(new { outcome = "answered" }, new() { ["id"] = w.ClassId, ["pickId"] = await w.NewPickAsync() }),
        ["DELETE /api/classes/{id}/picks/{pickId}"] = async w => await Ids(new() { ["id"] = w.ClassId, ["pickId"] = await w.NewPickAsync() }),
        ["GET /api/classes/{id}/picks/round"] = w => Ids(new() { ["id"] = w.ClassId }),
        ["POST /api/classes/{id}/picks/reshuffle"] = w => Ids(new() { ["id"] = w.ClassId }),
        ["DELETE /api/classes/{id}/picks/reshuffle"] = async w => await Ids(new() { ["id"] = await w.NewReshuffledClassAsync() }),
        ["DELETE /api/classes/{id}/picks/{pickId}/outcome"] = async w => await Ids(new() { ["id"] = w.ClassId, ["pickId"] = await w.NewPickAsync() }),
        ["GET /api/classes/{id}/picks/stats"] = w => Ids(new() { ["id"] = w.ClassId }),
        ["POST /api/classes/{id}/groups"] = w => Json(new { size = 2 }, new() { ["id"] = w.ClassId }),
        ["GET /api/classes/{id}/groups"] = w => Ids(new() { ["id"] = w.ClassId }),
        ["GET /api/classes/{id}/groups/{groupingId}"] = w => Ids(new() { ["id"] = w.ClassId, ["groupingId"] = w.GroupingId }),
        ["GET /api/quizzes"] = _ => None("q=capital&page=1&pageSize=5"),
        ["POST /api/quizzes"] = _ => Json(World.Quiz("New quiz")),
        ["GET /api/quizzes/public"] = _ => None("q=capital"),
        ["GET /api/quizzes/{id}"] = w => Ids(new() { ["id"] = w.QuizId }),
        ["PUT /api/quizzes/{id}"] = w => Json(World.Quiz("Replaced"), new() { ["id"] = w.QuizId }),
        ["PATCH /api/quizzes/{id}"] = w => Json(new { description = "Changed" }, new() { ["id"] = w.QuizId }),
        ["DELETE /api/quizzes/{id}"] = async w => await Ids(new() { ["id"] = await w.NewQuizAsync() }),
        ["POST /api/quizzes/{id}/copy"] = w => Ids(new() { ["id"] = w.QuizId }),
        ["PUT /api/quizzes/{id}/favorite"] = w => Ids(new() { ["id"] = w.QuizId }),
        ["DELETE /api/quizzes/{id}/favorite"] = w => Ids(new() { ["id"] = w.QuizId }),
        ["POST /api/quizzes/import"] = _ => Text("::Sum:: 2 + 2 = {=4 ~3 ~5}\n", "text/plain", query: "format=gift"),
        ["GET /api/quizzes/{id}/export/check"] = w => Ids(new() { ["id"] = w.QuizId }, "format=aiken"),
        ["GET /api/quizzes/{id}/export"] = w => Ids(new() { ["id"] = w.QuizId }, "format=json"),
        ["POST /api/images"] = _ => Task.FromResult(new ApiRequest(new Dictionary<string, string>(), "",
            new ByteArrayContent(TestImages.Png()) { Headers = { ContentType = new MediaTypeHeaderValue("image/png") } })),
        ["GET /api/images/{id}"] = w => Ids(new() { ["id"] = w.ImageId }),
        ["GET /api/play/images/{token}"] = w => Ids(new() { ["token"] = w.ImageToken }),
        ["POST /api/games"] = w => Json(new { quizId = long.Parse(w.QuizId, CultureInfo.InvariantCulture) }),
        ["GET /api/games"] = _ => None(),
        ["GET /api/games/{id}"] = w => Ids(new() { ["id"] = w.GameId }),
        ["POST /api/games/{id}/end"] = async w => await Ids(new() { ["id"] = await w.NewGameAsync() }),
        ["GET /api/games/{id}/qr.svg"] = w => Ids(new() { ["id"] = w.GameId }),
        ["GET /api/play/{pin}"] = w => Ids(new() { ["pin"] = w.Pin }),
        ["POST /api/assignments"] = w => Json(new { quizId = long.Parse(w.QuizId, CultureInfo.InvariantCulture), deadline = w.App.Clock.GetUtcNow().AddDays(30), options = new { timer = "off" } }),
        ["GET /api/assignments"] = _ => None("quizId=1"),
        ["GET /api/assignments/{id}"] = w => Ids(new() { ["id"] = w.AssignmentId }),
        ["PATCH /api/assignments/{id}"] = async w => await Json(new { deadline = w.App.Clock.GetUtcNow().AddDays(60) }, new() { ["id"] = await w.NewAssignmentAsync() }),
        ["POST /api/assignments/{id}/close"] = async w => await Ids(new() { ["id"] = await w.NewAssignmentAsync() }),
        ["DELETE /api/assignments/{id}"] = async w => await Ids(new() { ["id"] = await w.NewAssignmentAsync() }),
        ["GET /api/assignments/{id}/qr.svg"] = w => Ids(new() { ["id"] = w.AssignmentId }),
        ["GET /api/assignments/{id}/report"] = w => Ids(new() { ["id"] = w.AssignmentId }),
        ["GET /api/assignments/{id}/export"] = w => Ids(new() { ["id"] = w.AssignmentId }, "format=csv"),
        ["GET /api/a/{code}"] = w => Ids(new() { ["code"] = w.AssignmentCode }),
        ["POST /api/a/{code}/start"] = w => Json(new { name = PupilName() }, new() { ["code"] = w.AssignmentCode }),
        ["POST /api/a/{code}/next"] = w => Json(new { token = w.AssignmentToken }, new() { ["code"] = w.AssignmentCode }),
        ["POST /api/a/{code}/answers"] = async w => await Json(new { token = await w.ShownQuestionAsync(), questionIndex = 0, answer = 0 }, new() { ["code"] = w.AssignmentCode }),
        ["GET /api/places/near"] = _ => None("lat=48.85&lon=2.35&radius=50&unit=km&limit=5"),
        ["GET /api/places/geocode"] = _ => None("q=Denver&limit=5"),
        ["GET /api/places"] = _ => None("page=1&pageSize=10"),
        ["POST /api/places"] = _ => Json(World.Place("Library")),
        ["GET /api/places/{id}"] = w => Ids(new() { ["id"] = w.PlaceId }),
        ["PUT /api/places/{id}"] = w => Json(World.Place("Renamed library"), new() { ["id"] = w.PlaceId }),
        ["DELETE /api/places/{id}"] = async w => await Ids(new() { ["id"] = await w.NewPlaceAsync() }),
        ["POST /api/places/import"] = _ => Text("name,category,lat,lon\nMuseum,museum,48.86,2.33\n", "text/csv"),
        ["GET /api/places/imports"] = _ => None(),
        ["GET /api/places/imports/{id}"] = w => Ids(new() { ["id"] = w.ImportId }),
        ["GET /api/reports"] = _ => None("page=1&pageSize=5"),
        ["GET /api/reports/games/{id}"] = w => Ids(new() { ["id"] = w.ReportGameId }),
        ["GET /api/reports/games/{id}/export"] = w => Ids(new() { ["id"] = w.ReportGameId }, "format=xlsx"),
        ["DELETE /api/reports/games/{id}"] = async w => await Ids(new() { ["id"] = await w.NewReportGameAsync() }),
        ["GET /api/reports/classes/{id}"] = w => Ids(new() { ["id"] = w.ClassId }),
        ["GET /health"] = _ => None(),
        ["GET /health/ready"] = _ => None(),
    };

    private static Task<ApiRequest> None(string query = "") => Task.FromResult(new ApiRequest(new Dictionary<string, string>(), query, null));

    private static Task<ApiRequest> Ids(Dictionary<string, string> ids, string query = "") => Task.FromResult(new ApiRequest(ids, query, null));

    private static Task<ApiRequest> Json(object body, Dictionary<string, string>? ids = null) =>
        Task.FromResult(new ApiRequest(ids ?? [], "", RequestFuzzer.Json(JsonSerializer.Serialize(body, ApiClient.Json))));

    private static Task<ApiRequest> Text(string text, string type, Dictionary<string, string>? ids = null, string query = "") =>
        Task.FromResult(new ApiRequest(ids ?? [], query, new StringContent(text, Encoding.UTF8, type)));

    /// <summary>One request to an operation: its path's ids, a query string, a body, and who sends it (teacher A by default).</summary>
    public sealed record ApiRequest(IReadOnlyDictionary<string, string> Ids, string Query, HttpContent? Body, ApiClient? Client = null)
    {
        /// <summary>Sends Expect: 100-continue, so a body the server refuses unread (413) is not written into a closed connection.</summary>
        public bool ExpectContinue { get; init; }

        public async Task<HttpResponseMessage> SendAsync(ApiClient client, ApiOperation operation)
        {
            var path = operation.Fill(Ids) + (Query.Length > 0 ? "?" + Query : "");
            HttpContent? body = null;
            if (Body is not null)
            {
                // Contents are sent once each; a copy lets one request be sent by several clients.
                body = new ByteArrayContent(await Body.ReadAsByteArrayAsync());
                body.Headers.ContentType = Body.Headers.ContentType;
            }

            return await client.SendAsync(new HttpMethod(operation.Method), path, body, request => request.Headers.ExpectContinue = ExpectContinue ? true : null);
        }

        public string Describe() => $"ids {string.Join(",", Ids.Values)} query '{(Query.Length > 120 ? Query[..120] + "…" : Query)}'";
    }

    /// <summary>Teacher A's things (a class with students, a pick, a grouping, a public quiz, a live game, a place, an import, a report) and teacher B.</summary>
    private sealed class World
    {
        private World(HomeroomApp app, Teacher a, Teacher b, ApiClient cookieOnly)
        {
            App = app;
            A = a;
            B = b;
            CookieOnly = cookieOnly;
        }

        public HomeroomApp App { get; }

        public Teacher A { get; }

        public Teacher B { get; }

        /// <summary>Teacher A signed in with the browser's cookie, sending no antiforgery header.</summary>
        public ApiClient CookieOnly { get; }

        public string RefreshToken { get; private set; } = "";

        public string ClassId { get; private set; } = "";

        public string StudentId { get; private set; } = "";

        public string PickId { get; private set; } = "";

        public string GroupingId { get; private set; } = "";

        public string QuizId { get; private set; } = "";

        public string GameId { get; private set; } = "";

        /// <summary>Teacher A's picture, in no quiz (so private to A).</summary>
        public string ImageId { get; private set; } = "";

        /// <summary>The players' sealed address of <see cref="ImageId"/>, without its path.</summary>
        public string ImageToken { get; private set; } = "";

        public string Pin { get; private set; } = "";

        public string PlaceId { get; private set; } = "";

        public string ImportId { get; private set; } = "";

        public string ReportGameId { get; private set; } = "";

        public string AssignmentId { get; private set; } = "";

        public string AssignmentCode { get; private set; } = "";

        public string AssignmentToken { get; private set; } = "";

        private string questions = "[]";

        public static object Quiz(string title) => new
        {
            title,
            visibility = "public",
            questions = new object[]
            {
                new { type = "single", text = "Capital of France?", answers = new object[] { new { text = "Paris", correct = true }, new { text = "Rome", correct = false } } },
                new { type = "truefalse", text = "Water is wet.", correct = true },
            },
        };

        public static object Place(string name) => new { name, category = "library", lat = 48.857, lon = 2.351, hours = "Mo-Fr 09:00-17:00", timeZone = "Europe/Paris" };

        public static async Task<World> CreateAsync(HomeroomApp app)
        {
            var a = await Teacher.SignUpAsync(app);
            var b = await Teacher.SignUpAsync(app);
            var cookie = new ApiClient(app.NewClient());
            await (await cookie.PostAsync("/api/auth/login?useCookies=true", new { username = a.Username, password = a.Password })).Status(HttpStatusCode.OK);
            var world = new World(app, a, b, cookie);
            var tokens = await (await a.Api.PostAsync("/api/auth/login", new { username = a.Username, password = a.Password })).Json(HttpStatusCode.OK);
            world.RefreshToken = tokens.Str("refreshToken");

            world.ClassId = await world.NewClassAsync();
            world.StudentId = await world.NewStudentAsync();
            await world.NewStudentAsync();
            await world.NewStudentAsync();
            world.PickId = await world.NewPickAsync();
            world.GroupingId = Id(await (await a.Api.PostAsync($"/api/classes/{world.ClassId}/groups", new { size = 2 })).Json(HttpStatusCode.Created));
            world.QuizId = await world.NewQuizAsync();
            var image = await (await a.Api.PostAsync("/api/images", new ByteArrayContent(TestImages.Png(20, 10))
            {
                Headers = { ContentType = new MediaTypeHeaderValue("image/png") },
            })).Json(HttpStatusCode.Created);
            world.ImageId = Id(image);
            world.ImageToken = app.Service<ImageLinks>().ForPlayers(image.Long("id"))["/api/play/images/".Length..];
            var game = await (await a.Api.PostAsync("/api/games", new { quizId = long.Parse(world.QuizId, CultureInfo.InvariantCulture) })).Json(HttpStatusCode.Created);
            world.GameId = Id(game);
            world.Pin = game.Str("pin");
            world.PlaceId = await world.NewPlaceAsync();
            var upload = new StringContent("name,category,lat,lon\nZoo,zoo,48.84,2.36\n", Encoding.UTF8, "text/csv");
            world.ImportId = Id(await (await a.Api.PostAsync("/api/places/import", upload)).Json(HttpStatusCode.Accepted));
            world.ReportGameId = await world.NewReportGameAsync();
            world.AssignmentId = await world.NewAssignmentAsync();
            var assignment = await (await a.Api.GetAsync($"/api/assignments/{world.AssignmentId}")).Json(HttpStatusCode.OK);
            world.AssignmentCode = assignment.GetProperty("assignment").Str("code");
            world.AssignmentToken = await world.ShownQuestionAsync();
            return world;
        }

        public async Task<string> NewClassAsync() => Id(await (await A.Api.PostAsync("/api/classes", new { name = "Class " + Guid.NewGuid().ToString("N")[..4] })).Json(HttpStatusCode.Created));

        public async Task<string> NewStudentAsync() =>
            Id(await (await A.Api.PostAsync($"/api/classes/{ClassId}/students", new { name = "Student " + Guid.NewGuid().ToString("N")[..4] })).Json(HttpStatusCode.Created));

        /// <summary>A class of its own just reshuffled, for the example that undoes the reshuffle.</summary>
        public async Task<string> NewReshuffledClassAsync()
        {
            var id = await NewClassAsync();
            (await A.Api.PostAsync($"/api/classes/{id}/picks/reshuffle", null)).EnsureSuccessStatusCode();
            return id;
        }

        public async Task<string> NewPickAsync() =>
            Id(await (await A.Api.PostAsync($"/api/classes/{ClassId}/picks", new { mode = "random" })).Json(HttpStatusCode.Created));

        public async Task<string> NewQuizAsync()
        {
            var quiz = await (await A.Api.PostAsync("/api/quizzes", Quiz("Capitals"))).Json(HttpStatusCode.Created);
            questions = quiz.GetProperty("questions").GetRawText();
            return Id(quiz);
        }

        /// <summary>A live game of its own, for an example that ends it (the run's game stays live for the others).</summary>
        public async Task<string> NewGameAsync() =>
            Id(await (await A.Api.PostAsync("/api/games", new { quizId = long.Parse(QuizId, CultureInfo.InvariantCulture) })).Json(HttpStatusCode.Created));

        public async Task<string> NewPlaceAsync() => Id(await (await A.Api.PostAsync("/api/places", Place("Central library"))).Json(HttpStatusCode.Created));

        public async Task<string> NewReportGameAsync()
        {
            var seed = new SeedGame(A.Id, questions) { QuizId = long.Parse(QuizId, CultureInfo.InvariantCulture), ClassId = long.Parse(ClassId, CultureInfo.InvariantCulture) };
            var player = seed.Player("Ann");
            seed.Ask(0, 1).Answer(player, 0, "0", correct: true, points: 900).Answer(player, 1, "true", correct: true, points: 800);
            return (await seed.InsertAsync(App.Service<Database>())).ToString(CultureInfo.InvariantCulture);
        }

        public async Task<string> NewAssignmentAsync() => Id(await (await A.Api.PostAsync("/api/assignments",
            new { quizId = long.Parse(QuizId, CultureInfo.InvariantCulture), deadline = App.Clock.GetUtcNow().AddDays(30) })).Json(HttpStatusCode.Created));

        /// <summary>A new attempt at the assignment with its first question shown: its continuation token.</summary>
        public async Task<string> ShownQuestionAsync()
        {
            using var phone = new ApiClient(App.NewClient());
            var token = (await (await phone.PostAsync($"/api/a/{AssignmentCode}/start", new { name = PupilName() })).Json(HttpStatusCode.Created)).Str("token");
            await (await phone.PostAsync($"/api/a/{AssignmentCode}/next", new { token })).Status(HttpStatusCode.OK);
            return token;
        }

        private static string Id(JsonElement created) => created.Long("id").ToString(CultureInfo.InvariantCulture);
    }
}

public sealed class SqliteApiContractTests(SqliteFixture fixture) : ApiContractTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresApiContractTests(PostgresFixture fixture) : ApiContractTests(fixture), IClassFixture<PostgresFixture>;
