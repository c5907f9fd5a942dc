using System.Net;
using System.Text;
using Homeroom.Tests.Infrastructure;

namespace Homeroom.Tests.Web;

public abstract class ErrorsTests(AppFixture fixture) : AppTests(fixture)
{
    [Fact]
    public async Task Malformed_json_is_a_400_problem_that_says_where()
    {
        using var api = Anonymous();

        var response = await api.PostAsync("/api/auth/signup", new StringContent("{\"username\": \"ada\", ", Encoding.UTF8, "application/json"));

        var problem = await response.Problem(HttpStatusCode.BadRequest);
        Assert.Contains("not valid JSON", problem.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_names_the_field()
    {
        using var api = Anonymous();

        var response = await api.PostAsync("/api/auth/signup", new StringContent("{\"username\": 42}", Encoding.UTF8, "application/json"));

        var problem = await response.Problem(HttpStatusCode.BadRequest);
        Assert.Contains("$.username", problem.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_body_is_a_400_problem()
    {
        using var api = Anonymous();

        var response = await api.PostAsync("/api/auth/signup", new StringContent("", Encoding.UTF8, "application/json"));

        await response.Problem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_wrong_content_type_is_a_415_problem()
    {
        using var api = Anonymous();

        var response = await api.PostAsync("/api/auth/signup", new StringContent("username=ada", Encoding.UTF8, "application/x-www-form-urlencoded"));

        var problem = await response.Problem(HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("application/json", problem.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_problem()
    {
        using var api = Anonymous();
        var huge = "{\"username\": \"" + new string('a', 2 * 1024 * 1024) + "\"}";

        var response = await api.SendAsync(HttpMethod.Post, "/api/auth/signup", new StringContent(huge, Encoding.UTF8, "application/json"), r => r.Headers.ExpectContinue = true);

        await response.Problem(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task An_unknown_api_path_is_a_problem_json_404()
    {
        using var api = Anonymous();

        var problem = await (await api.GetAsync("/api/no/such/thing")).Problem(HttpStatusCode.NotFound);

        Assert.Contains("/api/no/such/thing", problem.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_method_is_a_405_problem()
    {
        using var api = Anonymous();

        await (await api.DeleteAsync("/api/auth/signup")).Problem(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task An_unknown_page_is_a_readable_html_404()
    {
        using var api = Anonymous();

        var response = await api.GetAsync("/no/such/page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("not found", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_unhandled_fault_is_a_500_with_a_trace_id_and_no_internals()
    {
        using var api = Anonymous();

        var response = await api.GetAsync("/api/test/crash");

        var problem = await response.Problem(HttpStatusCode.InternalServerError);
        Assert.False(string.IsNullOrEmpty(problem.Str("traceId")));
        var body = problem.ToString();
        Assert.DoesNotContain("SECRET-7731", body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
    }
}

public sealed class SqliteErrorsTests(SqliteFixture fixture) : ErrorsTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresErrorsTests(PostgresFixture fixture) : ErrorsTests(fixture), IClassFixture<PostgresFixture>;
