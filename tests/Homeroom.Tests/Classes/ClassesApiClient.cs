using System.Net;
using System.Text;
using System.Text.Json;
using Homeroom.Tests.Infrastructure;

namespace Homeroom.Tests.Classes;

/// <summary>Shortcuts for setting up classes in tests.</summary>
public static class ClassesApiClient
{
    public static async Task<long> CreateClassAsync(this Teacher teacher, string name = "Class 7B") =>
        (await (await teacher.Api.PostAsync("/api/classes", new { name })).Json(HttpStatusCode.Created)).Long("id");

    /// <summary>Adds students by name (text import) and returns their ids in the order given.</summary>
    public static async Task<List<long>> AddStudentsAsync(this Teacher teacher, long classId, IEnumerable<string> names)
    {
        var body = new StringContent(string.Join('\n', names), Encoding.UTF8, "text/plain");
        var report = await (await teacher.Api.PostAsync($"/api/classes/{classId}/students/import", body)).Json(HttpStatusCode.OK);
        return report.GetProperty("students").EnumerateArray().Select(s => s.Long("id")).ToList();
    }

    public static async Task<(long ClassId, List<long> Students)> ClassWithStudentsAsync(this Teacher teacher, int count)
    {
        var classId = await teacher.CreateClassAsync();
        var students = await teacher.AddStudentsAsync(classId, Enumerable.Range(1, count).Select(i => $"Student {i:00}"));
        return (classId, students);
    }

    public static async Task<JsonElement> PickAsync(this ApiClient api, long classId, string mode = "fair", int count = 1) =>
        await (await api.PostAsync($"/api/classes/{classId}/picks", new { mode, count })).Json(HttpStatusCode.Created);

    public static long StudentId(this JsonElement pick) => pick.GetProperty("student").Long("id");
}
