using System.Net;
using System.Net.Http.Headers;

namespace PSUnifiedMigration.Engine.Connections;

/// <summary>
/// The one retry schedule of the engine, shared by the run executor (PostgreSQL), the Neo4j client and the Qdrant
/// client, so that every store backs off the same way. The wait before retry n grows exponentially from
/// <see cref="FirstDelay"/>, is capped at <see cref="MaxDelay"/>, and is jittered ("equal jitter": half of the step
/// fixed, half random) so that several clients that failed together do not retry in step. A server that says when to
/// come back (Retry-After on 429 or 503) is believed, up to the same cap.
/// </summary>
/// <param name="MaxRetries">Retries after the first attempt; 0 turns retrying off.</param>
/// <param name="FirstDelay">The step before the first retry; it doubles for each further retry.</param>
/// <param name="MaxDelay">Ceiling of one wait, a server's Retry-After included.</param>
public sealed record RetryPolicy(int MaxRetries, TimeSpan FirstDelay, TimeSpan MaxDelay)
{
    public static RetryPolicy Default { get; } = new(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    /// <summary>The jitter's source, a number in [0, 1); tests fix it so that the schedule is exact.</summary>
    public Func<double> NextRandom { get; init; } = Random.Shared.NextDouble;

    /// <summary>The clock a Retry-After date is measured against and the timer of <see cref="WaitAsync"/>; tests replace it.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// The wait before retry <paramref name="retry"/> (1 for the first retry): the server's Retry-After when it gave
    /// one (seconds or an HTTP date; a date in the past means at once), otherwise the jittered exponential step.
    /// Never negative, never above <see cref="MaxDelay"/>.
    /// </summary>
    public TimeSpan DelayBefore(int retry, RetryConditionHeaderValue? retryAfter = null)
    {
        var asked = retryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - Time.GetUtcNow(),
            _ => (TimeSpan?)null,
        };
        if (asked is { } server)
        {
            return server <= TimeSpan.Zero ? TimeSpan.Zero : server < MaxDelay ? server : MaxDelay;
        }

        var step = Math.Min(FirstDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, retry - 1)), MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(Math.Max(0, step / 2 + NextRandom() * step / 2));
    }

    /// <summary>Waits <paramref name="delay"/> on <see cref="Time"/>; cancelling the token ends the wait at once.</summary>
    public Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, Time, cancellationToken);

    /// <summary>
    /// The Retry-After of an answer that may carry one worth honouring: 429 (rate limited) and 503 (unavailable).
    /// Other statuses' headers are ignored, so that a proxy's stray header cannot stretch ordinary backoff.
    /// </summary>
    public static RetryConditionHeaderValue? RetryAfterOf(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable ? response.Headers.RetryAfter : null;
}
