namespace Orleans.Flows.Delivery;

/// <summary>How email leaves through SMTP (<c>Smtp:*</c>): the relay the <see cref="SmtpEmailChannel"/> sends to.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    /// <summary>The relay's host name. Unset means email is not configured (<see cref="IsConfigured"/>).</summary>
    public string? Host { get; set; }

    /// <summary>The relay's port. Default 25; submission relays usually want 587 with <see cref="SmtpSecurity.StartTls"/>, or 465 with <see cref="SmtpSecurity.SslOnConnect"/>.</summary>
    public int Port { get; set; } = 25;

    /// <summary><c>none</c> (default), <c>startTls</c> or <c>sslOnConnect</c>; configuration binding reads it case-insensitively.</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.None;

    /// <summary>The user to authenticate as; unset sends without authenticating.</summary>
    public string? User { get; set; }

    /// <summary>The password of <see cref="User"/>. Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>The sender of a message that has none, <c>Name &lt;address&gt;</c> or an address.</summary>
    public string? From { get; set; }

    /// <summary>The most SMTP connections open at once, each sending one message at a time. Default 8.</summary>
    public int Connections { get; set; } = 8;

    /// <summary>How long one connect, command or reply may take before the attempt is given up. Default 30 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);
}

/// <summary>How the SMTP connection is secured.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain text; no TLS even when the server offers STARTTLS.</summary>
    None,
    /// <summary>Plain connect, then STARTTLS, which the server must offer.</summary>
    StartTls,
    /// <summary>TLS from the first byte (implicit TLS, usually port 465).</summary>
    SslOnConnect,
}
