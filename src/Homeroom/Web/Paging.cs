namespace Homeroom.Web;

/// <summary>A page of a list: ?page (from 1) and ?pageSize.</summary>
public readonly record struct Paging(int Page, int PageSize)
{
    public int Skip => (Page - 1) * PageSize;

    /// <summary>
    /// Reads ?page and ?pageSize (default <paramref name="defaultSize"/>, at most <paramref name="maxSize"/>);
    /// returns the validation problem naming the bad one, or null.
    /// </summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ValidationProblem? TryRead(int? page, int? pageSize, int defaultSize, int maxSize, out Paging paging)
    {
        paging = new Paging(page ?? 1, pageSize ?? defaultSize);
        if (page is < 1)
        {
            return Problems.Invalid("page", "page starts at 1.");
        }

        return pageSize is < 1 || pageSize > maxSize ? Problems.Invalid("pageSize", $"pageSize must be between 1 and {maxSize}.") : null;
    }
}
