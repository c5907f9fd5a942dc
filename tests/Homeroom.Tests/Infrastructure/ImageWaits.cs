using Microsoft.Playwright;

namespace Homeroom.Tests.Infrastructure;

/// <summary>Waits for pictures the pages add after load (QR codes, question images) instead of checking them once.</summary>
public static class ImageWaits
{
    /// <summary>Waits (Playwright's own timeout) until the image has loaded and decoded to something with a width.</summary>
    public static async Task WaitForImageAsync(this ILocator image, string because)
    {
        ArgumentNullException.ThrowIfNull(image);
        try
        {
            await image.Page.WaitForFunctionAsync("img => img.complete && img.naturalWidth > 0", await image.ElementHandleAsync());
        }
        catch (TimeoutException timeout)
        {
            throw new Xunit.Sdk.XunitException(because + " " + timeout.Message);
        }
    }
}
