using Orleans.Flows.Telemetry;

namespace Orleans.Flows.Tests.Telemetry;

public sealed class SensitiveTextTests
{
    [Theory]
    [InlineData("smtp 550 5.1.1 <bob@example.com>: Recipient address rejected", "smtp 550 5.1.1 <[email]>: Recipient address rejected")]
    [InlineData("550 5.1.1 bob.smith+news@mail.example.co.uk... User unknown", "550 5.1.1 [email]... User unknown")]
    [InlineData("RCPT TO:<ada_lovelace@example.org> refused", "RCPT TO:<[email]> refused")]
    public void EmailAddressesInServerRepliesAreMasked(string reply, string masked) =>
        Assert.Equal(masked, SensitiveText.Mask(reply));

    [Theory]
    [InlineData("invalid destination +4712345678", "invalid destination [phone]")]
    [InlineData("number (555) 123-4567 is not reachable", "number [phone] is not reachable")]
    [InlineData("gateway rejected +1-555-123-4567: blocked", "gateway rejected [phone]: blocked")]
    [InlineData("+47 123 45 678 opted out", "[phone] opted out")]
    public void PhoneNumbersAreMasked(string error, string masked) =>
        Assert.Equal(masked, SensitiveText.Mask(error));

    [Fact]
    public void PushTokensAreMasked() =>
        Assert.Equal("unregistered device [token]", SensitiveText.Mask("unregistered device fMEP0vJqS0:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx"));

    [Theory]
    [InlineData("smtp 451 4.7.1 try again later")]
    [InlineData("http 503")]
    [InlineData("gave up after 10 attempts: timeout")]
    [InlineData("smtp connect failed: ConnectionRefused")]
    [InlineData("connection to 10.0.12.7 refused")]
    [InlineData("template_error: unknown filter 'shout'")]
    public void TextWithoutAddressesIsLeftAlone(string error) =>
        Assert.Equal(error, SensitiveText.Mask(error));

    [Fact]
    public void NothingStaysNothing()
    {
        Assert.Null(SensitiveText.Mask(null));
        Assert.Equal("", SensitiveText.Mask(""));
    }
}
