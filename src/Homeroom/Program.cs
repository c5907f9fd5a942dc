using System.Text.Json.Serialization;
using Homeroom;
using Homeroom.Accounts;
using Homeroom.Assignments;
using Homeroom.Classes;
using Homeroom.Games;
using Homeroom.Images;
using Homeroom.Places;
using Homeroom.Quizzes;
using Homeroom.Reports;
using Homeroom.Storage;
using Homeroom.Web;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

var builder = Deployment.CreateBuilder(args);

builder.WebHost.ConfigureKestrel(kestrel =>
    kestrel.Limits.MaxRequestBodySize = builder.Configuration.GetValue<long>("Homeroom:MaxRequestBodyBytes", 1024 * 1024));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<IRandomSource, CryptoRandomSource>();
builder.Services.ConfigureHttpJsonOptions(options =>
    options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)));
builder.Services.AddHomeroomErrors();
builder.Services.AddApiDocument();
builder.AddForwardedHeaders();
builder.AddMetrics();
builder.AddStorage();
builder.AddAccounts();
builder.AddGames();
builder.Services.AddSingleton<FinishedReports>();
builder.Services.AddSingleton<PlaceDirectory>();
builder.Services.AddHostedService(services => services.GetRequiredService<PlaceDirectory>());
builder.Services.AddSingleton<PlaceImports>();
builder.Services.AddHostedService(services => services.GetRequiredService<PlaceImports>());
builder.Services.AddHostedService<GazetteerLoader>();
builder.Services.AddSingleton<ImageLinks>();
builder.Services.AddSingleton<PlayerImageCache>();
builder.Services.AddSingleton<ImageSweep>();
builder.Services.AddHostedService(services => services.GetRequiredService<ImageSweep>());

var app = builder.Build();
await app.MigrateAsync();

app.UseForwardedHeadersAndHsts();
app.UseHomeroomErrors();
app.UseSecurityHeaders();
app.UseApiCaching();
app.UseStaticFiles(Pages.StaticFileOptions());
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.UseCookieWriteProtection();
app.UseRateLimiter();

// /health does no I/O at all: it is the load balancer's probe and every benchmark's baseline (left out of the request metrics).
app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false }).DisableHttpMetrics();
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = HealthReports.WriteAsync });
app.MapMetrics();
app.MapOpenApi();
app.MapApiReference();

var api = app.MapGroup("/api").WithValidation().WithStandardResponses();
api.MapAccounts();
api.MapClasses();
api.MapQuizzes();
api.MapImages();
api.MapGames();
api.MapAssignments();
api.MapPlaces();
api.MapReports();

app.MapGameHub();
app.MapPages();
app.MapNotFoundFallbacks();

app.LogAddressesAtStart();
await app.RunAsync();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
