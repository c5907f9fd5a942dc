namespace Homeroom.Web;

/// <summary>A request body that checks itself. The validation filter runs it before the handler does.</summary>
public interface IValidatable
{
    void Validate(ValidationErrors errors);
}

/// <summary>Field name → messages, in the shape of RFC 9457 validation problem details.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public bool IsEmpty => errors.Count == 0;

    public void Add(string field, string message)
    {
        if (!errors.TryGetValue(field, out var messages))
        {
            errors[field] = messages = [];
        }

        messages.Add(message);
    }

    /// <summary>Checks a required, trimmed text field; returns the trimmed value when it is usable.</summary>
    public string? RequireText(string field, string? value, int maxLength, int minLength = 1)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            Add(field, $"{field} is required.");
            return null;
        }

        return CheckLength(field, text, minLength, maxLength) ? text : null;
    }

    /// <summary>
    /// Checks an optional, trimmed text field; null and blank both mean "not given". Line breaks are
    /// allowed only where <paramref name="multiline"/> says so (descriptions, notes).
    /// </summary>
    public string? OptionalText(string field, string? value, int maxLength, bool multiline = false)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return CheckLength(field, text, 0, maxLength, multiline) ? text : null;
    }

    public IDictionary<string, string[]> ToDictionary() => errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    private bool CheckLength(string field, string text, int minLength, int maxLength, bool multiline = false)
    {
        var length = new System.Globalization.StringInfo(text).LengthInTextElements;
        if (length < minLength || length > maxLength)
        {
            Add(field, minLength > 1
                ? $"{field} must be {minLength} to {maxLength} characters long."
                : $"{field} must be at most {maxLength} characters long.");
            return false;
        }

        if (text.Any(c => char.IsControl(c) && c is not '\t' && !(multiline && c is '\n' or '\r')))
        {
            Add(field, $"{field} must not contain control characters.");
            return false;
        }

        return true;
    }
}

public static class ValidationFilter
{
    /// <summary>
    /// Runs <see cref="IValidatable.Validate"/> on every validatable argument and answers 400 with the
    /// field errors instead of calling the handler. Handlers never see invalid input.
    /// </summary>
    public static TBuilder WithValidation<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((context, next) =>
        {
            var validated = context.MethodInfo.GetParameters()
                .Select((parameter, index) => (parameter, index))
                .Where(p => typeof(IValidatable).IsAssignableFrom(p.parameter.ParameterType))
                .Select(p => p.index)
                .ToArray();
            if (validated.Length == 0)
            {
                return next;
            }

            return async invocation =>
            {
                var errors = new ValidationErrors();
                foreach (var index in validated)
                {
                    if (invocation.Arguments[index] is IValidatable argument)
                    {
                        argument.Validate(errors);
                    }
                }

                return errors.IsEmpty ? await next(invocation) : TypedResults.ValidationProblem(errors.ToDictionary());
            };
        });
}
