using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace PSUnifiedMigration.Engine.Tests.ClaudeContextCore;

/// <summary>Plain HTTP against a wire fake, so the tests see exactly the status and JSON body a reader would.</summary>
internal sealed class WireFakeClient(Uri baseUri, Action<HttpRequestHeaders>? authenticate = null) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseUri };

    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        authenticate?.Invoke(request.Headers);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.StartsWith('{') ? JsonNode.Parse(text) : null);
    }

    public Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string path, string json) => SendAsync(HttpMethod.Post, path, json);

    public void Dispose() => _http.Dispose();
}
