using System.Net;
using System.Net.Http.Headers;
using PSUnifiedMigration.Engine.Connections;

namespace PSUnifiedMigration.Engine.Tests;

/// <summary>
/// The shared retry schedule, with the jitter and the clock fixed, so that every expectation is exact and no test
/// depends on how fast the machine is.
/// </summary>
public class RetryPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static RetryPolicy Policy(double random) => new RetryPolicy(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2))
    {
        NextRandom = () => random,
        Time = new FixedClock(Now),
    };

    [Fact]
    public void The_step_doubles_with_each_retry()
    {
        var top = Policy(1.0);

        Assert.Equal([100, 200, 400, 800, 1600], Enumerable.Range(1, 5).Select(r => top.DelayBefore(r).TotalMilliseconds));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(40)]
    [InlineData(5000)]
    public void The_step_never_exceeds_the_cap_however_many_retries(int retry)
    {
        Assert.Equal(TimeSpan.FromSeconds(2), Policy(1.0).DelayBefore(retry));
        Assert.Equal(TimeSpan.FromSeconds(1), Policy(0.0).DelayBefore(retry));
    }

    [Fact]
    public void Jitter_keeps_each_wait_between_half_the_step_and_the_step()
    {
        var random = new Random(1234);
        var jittered = new RetryPolicy(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2)) { NextRandom = random.NextDouble };

        for (var retry = 1; retry <= 8; retry++)
        {
            var step = Math.Min(100 * Math.Pow(2, retry - 1), 2000);
            var waits = Enumerable.Range(0, 200).Select(_ => jittered.DelayBefore(retry).TotalMilliseconds).ToList();
            Assert.All(waits, w => Assert.InRange(w, step / 2, step));
            Assert.True(waits.Distinct().Count() > 100, "the waits are spread out");
        }

        Assert.Equal(TimeSpan.FromMilliseconds(50), Policy(0.0).DelayBefore(1));
        Assert.Equal(TimeSpan.FromMilliseconds(75), Policy(0.5).DelayBefore(1));
    }

    [Fact]
    public void Retry_after_in_seconds_replaces_the_backoff_up_to_the_cap()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), Policy(1.0).DelayBefore(1, new RetryConditionHeaderValue(TimeSpan.FromSeconds(1))));
        Assert.Equal(TimeSpan.FromSeconds(2), Policy(1.0).DelayBefore(1, new RetryConditionHeaderValue(TimeSpan.FromSeconds(120))));
        Assert.Equal(TimeSpan.Zero, Policy(1.0).DelayBefore(4, new RetryConditionHeaderValue(TimeSpan.Zero)));
    }

    [Fact]
    public void Retry_after_as_a_date_is_measured_against_the_clock()
    {
        Assert.Equal(TimeSpan.FromSeconds(1.5), Policy(1.0).DelayBefore(1, new RetryConditionHeaderValue(Now.AddSeconds(1.5))));
        Assert.Equal(TimeSpan.FromSeconds(2), Policy(1.0).DelayBefore(1, new RetryConditionHeaderValue(Now.AddHours(1))));
        Assert.Equal(TimeSpan.Zero, Policy(1.0).DelayBefore(3, new RetryConditionHeaderValue(Now.AddSeconds(-30))));
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.InternalServerError, false)]
    [InlineData(HttpStatusCode.BadGateway, false)]
    public void Only_429_and_503_answers_lend_their_retry_after(HttpStatusCode status, bool honoured)
    {
        using var response = new HttpResponseMessage(status);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(3));

        Assert.Equal(honoured ? TimeSpan.FromSeconds(3) : null, RetryPolicy.RetryAfterOf(response)?.Delta);
    }

    [Fact]
    public void A_policy_without_delays_retries_at_once()
    {
        Assert.Equal(TimeSpan.Zero, new RetryPolicy(0, TimeSpan.Zero, TimeSpan.Zero).DelayBefore(1));
    }

    [Fact]
    public async Task Cancelling_ends_a_wait_at_once()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Policy(1.0).WaitAsync(TimeSpan.FromHours(1), cancelled.Token));
    }

    /// <summary>A clock that stands still, for Retry-After dates.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
