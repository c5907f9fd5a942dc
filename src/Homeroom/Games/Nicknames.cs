using System.Globalization;
using System.Reflection;
using System.Text;
using Homeroom.Quizzes;
using Homeroom.Web;

namespace Homeroom.Games;

/// <summary>
/// Player nicknames: normalised (<see cref="Names.Normalize"/>), 1–20 characters (as a person counts them), no
/// control characters, unique in a game ignoring case, accents and look-alike letters, and not containing a blocked word. The check sees through case,
/// accents, spacing and the usual letter-for-digit swaps ("F u c k", "5H1T"); the list is built in
/// (Games/blocked-words.txt) and can be extended with Homeroom:Games:BlockedWords (comma-separated).
/// </summary>
public sealed class Nicknames
{
    public const int MaxLength = 20;

    private static readonly string[] Adjectives =
    [
        "Brave", "Clever", "Cosmic", "Curious", "Daring", "Eager", "Gentle", "Happy", "Jolly", "Kind", "Lively", "Lucky",
        "Mighty", "Nimble", "Plucky", "Quick", "Quiet", "Sunny", "Swift", "Witty", "Zesty", "Bold", "Bright", "Calm",
    ];

    private static readonly string[] Animals =
    [
        "Otter", "Panda", "Falcon", "Koala", "Lynx", "Puffin", "Tiger", "Walrus", "Gecko", "Heron", "Badger", "Dolphin",
        "Fox", "Owl", "Penguin", "Rabbit", "Seal", "Sloth", "Turtle", "Yak", "Zebra", "Beaver", "Lemur", "Moose",
    ];

    private readonly string[] blocked;

    public Nicknames(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var extra = (configuration["Homeroom:Games:BlockedWords"] ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        blocked = [.. BuiltIn().Concat(extra).Select(Squash).Where(w => w.Length > 0).Distinct()];
    }

    /// <summary>Checks a nickname; returns it normalised (<see cref="Names.Normalize"/>), or null with the reason.</summary>
    public string? Check(string? nickname, out string? problem)
    {
        var text = Names.Normalize(nickname);
        var length = text is null ? 0 : new StringInfo(text).LengthInTextElements;
        problem = length switch
        {
            0 when string.IsNullOrWhiteSpace(nickname) => "Choose a nickname.",
            0 => "That nickname has no letters or digits that can be seen. Choose another.",
            > MaxLength => $"A nickname has at most {MaxLength} characters.",
            _ when text!.Any(char.IsControl) => "A nickname cannot contain control characters.",
            _ when IsBlocked(text!) => "Please choose another nickname.",
            _ => null,
        };
        return problem is null ? text : null;
    }

    public bool IsBlocked(string nickname)
    {
        var squashed = Squash(nickname);
        var words = QuizRules.MatchKey(nickname).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Squash).ToHashSet();
        // Short words only as whole words ("Sussex" is fine); longer ones anywhere ("xXfuckXx" is not).
        return blocked.Any(word => word.Length <= 3 ? words.Contains(word) || squashed == word : squashed.Contains(word, StringComparison.Ordinal));
    }

    /// <summary>
    /// The key under which two nicknames (or a nickname and a roster name) count as the same in a game: case,
    /// accents, invisible characters and look-alike letters do not count (<see cref="Names.Key"/>).
    /// </summary>
    public static string Key(string nickname) => Names.Key(nickname);

    /// <summary>A friendly two-word name ("Brave Otter") not yet taken in the game.</summary>
    public static string Generate(IRandomSource random, Func<string, bool> isTaken)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(isTaken);
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var name = random.Choose(Adjectives) + " " + random.Choose(Animals);
            if (attempt >= 100)
            {
                name += " " + (random.NextBelow(98) + 2).ToString(CultureInfo.InvariantCulture);
            }

            if (!isTaken(name))
            {
                return name;
            }
        }

        throw new InvalidOperationException("No free friendly name: the game is full of them.");
    }

    /// <summary>Letters only, lower case, accents off, digits read as the letters they stand in for.</summary>
    private static string Squash(string text)
    {
        var squashed = new StringBuilder(text.Length);
        foreach (var c in QuizRules.MatchKey(text))
        {
            var letter = c switch
            {
                '0' => 'o', '1' or '!' or '|' => 'i', '3' => 'e', '4' or '@' => 'a', '5' or '$' => 's', '7' => 't', '8' => 'b', '9' => 'g',
                _ => c,
            };
            if (char.IsLetter(letter))
            {
                squashed.Append(letter);
            }
        }

        return squashed.ToString();
    }

    private static IEnumerable<string> BuiltIn()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Homeroom.Games.blocked-words.txt")
            ?? throw new InvalidOperationException("The blocked-words list is missing.");
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && line[0] != '#')
            {
                yield return new string(line.Trim().Select(Rot13).ToArray());
            }
        }
    }

    private static char Rot13(char c) => c switch
    {
        >= 'a' and <= 'z' => (char)('a' + ((c - 'a' + 13) % 26)),
        >= 'A' and <= 'Z' => (char)('A' + ((c - 'A' + 13) % 26)),
        _ => c,
    };
}

/// <summary>Game PINs: 6 random digits, 7 when 6-digit ones keep colliding with live games.</summary>
public static class GamePins
{
    public static string New(IRandomSource random, Func<string, bool> isLive)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(isLive);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var digits = attempt < 50 ? 6 : 7;
            var low = (long)Math.Pow(10, digits - 1);
            var pin = (low + random.NextBelow(9 * low)).ToString(CultureInfo.InvariantCulture);
            if (!isLive(pin))
            {
                return pin;
            }
        }

        throw new InvalidOperationException("No free game PIN.");
    }
}
