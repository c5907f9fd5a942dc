// Bare Kestrel: the same "/health" answer as Homeroom's, with nothing else in the pipeline.
var app = WebApplication.Create(args);
app.MapGet("/health", () => "Healthy");
await app.RunAsync();
