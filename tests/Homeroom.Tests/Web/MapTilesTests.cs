using Homeroom.Web;

namespace Homeroom.Tests.Web;

/// <summary>The Places page's tile server setting and the page policy it widens.</summary>
public sealed class MapTilesTests
{
    [Theory]
    [InlineData("https://tile.example.org/{z}/{x}/{y}.png", "https://tile.example.org")]
    [InlineData("  https://tile.example.org/{z}/{x}/{y}.png  ", "https://tile.example.org")]
    [InlineData("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org")]
    [InlineData("https://tiles-{s}.example.org/{z}/{x}/{y}{r}.png", "https://*.example.org")]
    [InlineData("http://localhost:8080/tiles/{z}/{x}/{y}.png?key=abc", "http://localhost:8080")]
    [InlineData("https://TILE.Example.org:443/{z}/{y}/{x}", "https://tile.example.org")]
    [InlineData("http://[::1]:8081/{z}/{x}/{y}.png", "http://[::1]:8081")]
    [InlineData("https://bücher.example/{z}/{x}/{y}.png", "https://xn--bcher-kva.example")]
    public void A_template_allows_its_own_origin(string template, string source) =>
        Assert.Equal(source, MapTiles.Source(template));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("tile.example.org/{z}/{x}/{y}.png")]
    [InlineData("/tiles/{z}/{x}/{y}.png")]
    [InlineData("https://tile.example.org/tiles.png")]
    [InlineData("ftp://tile.example.org/{z}/{x}/{y}.png")]
    [InlineData("javascript:alert(1)//{z}{x}{y}")]
    [InlineData("https://tile.{s}.example.org/{z}/{x}/{y}.png")]
    [InlineData("https://{s}/{z}/{x}/{y}.png")]
    [InlineData("https://user@tile.example.org/{z}/{x}/{y}.png")]
    [InlineData("https://tile.example.org;script-src *//{z}/{x}/{y}.png")]
    [InlineData("https://tile example.org/{z}/{x}/{y}.png")]
    public void Anything_else_is_refused(string? template) => Assert.Null(MapTiles.Source(template));

    [Fact]
    public void The_page_policy_gains_only_that_image_source()
    {
        var policy = SecurityHeaders.PagePolicyWithImagesFrom("https://*.tile.example.org");
        Assert.Equal(SecurityHeaders.PagePolicy.Replace("img-src 'self' data:;", "img-src 'self' data: https://*.tile.example.org;", StringComparison.Ordinal), policy);
        Assert.Throws<ArgumentException>(() => SecurityHeaders.PagePolicyWithImagesFrom("https://a.example; script-src *"));
        Assert.Throws<ArgumentException>(() => SecurityHeaders.PagePolicyWithImagesFrom(" "));
    }
}
