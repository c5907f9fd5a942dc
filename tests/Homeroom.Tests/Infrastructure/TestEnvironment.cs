namespace Homeroom.Tests.Infrastructure;

/// <summary>
/// On a developer's machine a missing PostgreSQL or Chromium skips the tests that need it. CI sets
/// HOMEROOM_TEST_STRICT=1, and there a missing dependency fails instead: CI must test everything.
/// </summary>
public static class TestEnvironment
{
    public static bool Strict => Environment.GetEnvironmentVariable("HOMEROOM_TEST_STRICT") == "1";

    /// <summary>Skips the current test, or fails it under HOMEROOM_TEST_STRICT.</summary>
    public static void Require(bool available, string what)
    {
        if (available)
        {
            return;
        }

        if (Strict)
        {
            Assert.Fail($"{what} is required (HOMEROOM_TEST_STRICT=1) but is not installed.");
        }

        Assert.Skip($"{what} is not installed; install it to run these tests.");
    }
}
