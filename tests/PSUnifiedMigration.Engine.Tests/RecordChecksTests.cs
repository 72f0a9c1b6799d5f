using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Tests;

public class RecordChecksTests
{
    [Fact]
    public void Text_with_a_nul_character_is_a_problem_that_gives_its_position() =>
        Assert.Contains("position 3", RecordChecks.TextProblem("abc\0def"));

    [Fact]
    public void Json_with_a_nul_inside_a_nested_string_is_a_problem() =>
        Assert.NotNull(RecordChecks.JsonProblem(JsonNode.Parse("""{"a": [1, {"b": "x\u0000y"}]}""")));

    [Fact]
    public void Json_with_an_escaped_backslash_before_u0000_text_is_not_a_problem() =>
        Assert.Null(RecordChecks.JsonProblem(JsonNode.Parse("""{"a": "\\u0000 is how JSON spells NUL"}""")));

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void A_vector_with_a_non_finite_value_names_the_index(float bad) =>
        Assert.Contains("index 2", RecordChecks.VectorProblem([0.1f, 0.2f, bad, 0.4f], 4));

    [Fact]
    public void A_vector_of_the_wrong_dimension_names_both_dimensions() =>
        Assert.Contains("3 dimensions; the plan's vector dimension is 4", RecordChecks.VectorProblem([0.1f, 0.2f, 0.3f], 4));

    [Fact]
    public void A_finite_vector_of_the_right_dimension_is_fine() =>
        Assert.Null(RecordChecks.VectorProblem([0.1f, -0.2f, 0f], 3));
}
