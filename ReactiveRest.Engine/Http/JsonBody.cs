using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ReactiveRest.Engine.Http;

/// <summary>Reads a request body that must be one JSON object, turning every way it can be wrong into a problem result.</summary>
public static class JsonBody
{
    public static async Task<(JsonFields? Fields, IResult? Problem)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return (null, Problems.Create(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "The request body must be JSON, sent with 'Content-Type: application/json'."));
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, Problems.Create(StatusCodes.Status400BadRequest, "Malformed request body",
                    $"The request body must be a JSON object, not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}."));
            }

            // Clone: the element must outlive the pooled document.
            return (new JsonFields(document.RootElement.Clone()), null);
        }
        catch (JsonException exception)
        {
            return (null, Problems.Create(StatusCodes.Status400BadRequest, "Malformed JSON",
                $"The request body is not valid JSON (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1})."));
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problems.Create(StatusCodes.Status413PayloadTooLarge, "Request body too large", exception.Message));
        }
    }
}
