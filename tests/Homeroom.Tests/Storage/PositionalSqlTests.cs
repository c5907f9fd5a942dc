using Homeroom.Storage;

namespace Homeroom.Tests.Storage;

/// <summary>Named placeholders turned into PostgreSQL's positional ones, for statements sent without Npgsql parsing them.</summary>
public sealed class PositionalSqlTests
{
    [Fact]
    public void Each_name_gets_one_position_in_order_of_first_use()
    {
        var positional = PositionalSql.For("SELECT @b, @a::bigint, @b + 1 FROM t WHERE x = @a AND y = @TeacherId" + Suffix());

        Assert.StartsWith("SELECT $1, $2::bigint, $1 + 1 FROM t WHERE x = $2 AND y = $3", positional.Sql, StringComparison.Ordinal);
        Assert.Equal(["b", "a", "TeacherId"], positional.Names);
    }

    [Fact]
    public void Literals_quoted_names_and_comments_are_left_alone()
    {
        const string sql = """
            SELECT '@a', 'it''s @a', E'\'@a', "@a", @a -- @b
            /* @c */ , $$ @d $$, $x$ @e $x$, $1, a@b, @@a
            """;

        var positional = PositionalSql.For(sql);

        Assert.Equal(sql.Replace(", @a --", ", $1 --", StringComparison.Ordinal), positional.Sql);
        Assert.Equal(["a"], positional.Names);
    }

    [Fact]
    public void A_statement_is_rewritten_once()
    {
        var sql = "SELECT @x" + Suffix();

        Assert.Same(PositionalSql.For(sql), PositionalSql.For(sql));
    }

    [Theory]
    [InlineData("SELECT 1", true)]
    [InlineData("  select a FROM t WHERE b IN (SELECT c FROM d)", true)]
    [InlineData("INSERT INTO t (a) VALUES (@a) RETURNING id", true)]
    [InlineData("UPDATE t SET a = 1 WHERE id = @id returning id, a", true)]
    [InlineData("WITH x AS MATERIALIZED (UPDATE t SET a = 1 RETURNING id) SELECT count(*) FROM x", true)]
    [InlineData("INSERT INTO t (a) VALUES (@a)", false)]
    [InlineData("UPDATE t SET a = 1 WHERE id IN (SELECT id FROM u)", false)]
    [InlineData("WITH x AS (UPDATE t SET a = 1 RETURNING id) DELETE FROM u WHERE id IN (SELECT id FROM x)", false)]
    [InlineData("INSERT INTO t (a) SELECT b FROM u", false)]
    [InlineData("SELECT a INTO t2 FROM t", false)]
    [InlineData("DELETE FROM t WHERE note = 'RETURNING' -- RETURNING", false)]
    public void Whether_a_statement_answers_with_rows_is_told_from_its_text(string sql, bool returnsRows) =>
        Assert.Equal(returnsRows, PositionalSql.For(sql + Suffix()).ReturnsRows);

    /// <summary>A string made at run time, so that each test has a statement of its own in the cache.</summary>
    private static string Suffix() => " -- " + Guid.NewGuid().ToString("N");
}
