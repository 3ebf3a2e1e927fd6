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

            if (!HasTextPropertyNames(document.RootElement))
            {
                return (null, Problems.Create(StatusCodes.Status400BadRequest, "Malformed JSON",
                    "A property name of the request body is not valid UTF-8 or Unicode text."));
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

    /// <summary>
    /// JsonDocument accepts property names whose bytes are not UTF-8 or whose escapes leave a surrogate unpaired, and
    /// looking a field up throws when it meets an escaped one. Neither can name a field, so the body is malformed.
    /// </summary>
    private static bool HasTextPropertyNames(JsonElement body)
    {
        foreach (var property in body.EnumerateObject())
        {
            try
            {
                _ = property.Name;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }

        return true;
    }
}
