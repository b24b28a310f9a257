#!/usr/bin/perl
# maildkim.pl - Mail::DKIM (Debian libmail-dkim-perl) as a second independent
# signer and verifier for t/dkim_verify.sh
#
#   maildkim.pl sign DIR              sign messages into DIR/msgs with the keys
#                                     in DIR, append wants to DIR/manifest
#   maildkim.pl verify PORT FILE...   Mail::DKIM::Verifier's result for every
#                                     signature, asking 127.0.0.1:PORT for keys
#
# The manifest format is sign_fixtures.py's: NAME WANTS NOTE.
use strict;
use warnings;

use Mail::DKIM::Signer;
use Mail::DKIM::Verifier;
use Net::DNS;

sub message {
	my ($name) = @_;
	return "From: Carol <carol\@dkim.test>\r\n"
	    . "To: dave\@example.net\r\n"
	    . "Subject: Mail::DKIM test $name\r\n"
	    . "Date: Tue, 02 Jan 2024 00:00:00 +0000\r\n"
	    . "Message-ID: <$name\@dkim.test>\r\n"
	    . "\r\n"
	    . "Hi Dave,\r\n"
	    . "  spaced   out  line \r\n"
	    . "\r\n"
	    . "Carol\r\n";
}

# sign - the message with a new signature on top
sub sign {
	my ($msg, %p) = @_;
	my $s = Mail::DKIM::Signer->new(
		Domain => 'dkim.test',
		Headers => 'from:to:subject:date:message-id',
		%p);
	$s->PRINT($msg);
	$s->CLOSE;
	return $s->signature->as_string . "\r\n" . $msg;
}

sub cmd_sign {
	my ($dir) = @_;
	my $now = time;
	my %m;

	# dkimpy allows 10 hours of clock skew on x=, so expire days ago

	$m{md_relaxed} = [sign(message('relaxed'), Algorithm => 'rsa-sha256',
	    Method => 'relaxed/relaxed', Selector => 's1024', KeyFile => "$dir/k1024.key"), 'pass'];
	$m{md_simple} = [sign(message('simple'), Algorithm => 'rsa-sha256',
	    Method => 'simple/simple', Selector => 's2048', KeyFile => "$dir/k2048.key"), 'pass'];
	$m{md_sha1} = [sign(message('sha1'), Algorithm => 'rsa-sha1',
	    Method => 'relaxed/simple', Selector => 'ssha1', KeyFile => "$dir/ksha1.key"),
	    'policy', '8301'];
	$m{md_expired} = [sign(message('expired'), Algorithm => 'rsa-sha256',
	    Method => 'relaxed/relaxed', Selector => 's2048', KeyFile => "$dir/k2048.key",
	    Timestamp => $now - 3 * 86400, Expiration => $now - 2 * 86400), 'permerror'];
	$m{md_future_expiry} = [sign(message('future'), Algorithm => 'rsa-sha256',
	    Method => 'relaxed/relaxed', Selector => 's2048', KeyFile => "$dir/k2048.key",
	    Timestamp => $now - 60, Expiration => $now + 86400), 'pass'];
	(my $t = $m{md_simple}[0]) =~ s/Hi Dave/Hi Eve/;
	$m{md_simple_tampered} = [$t, 'fail'];
	(my $w = $m{md_simple}[0]) =~ s/spaced   out/spaced    out/;
	$m{md_simple_ws} = [$w, 'fail'];
	(my $r = $m{md_relaxed}[0]) =~ s/spaced   out/spaced    out/;
	$m{md_relaxed_ws} = [$r, 'pass'];

	open(my $man, '>>', "$dir/manifest") or die "$dir/manifest: $!";
	for my $name (sort keys %m) {
		open(my $f, '>', "$dir/msgs/$name.eml") or die "$name: $!";
		binmode $f;
		print $f $m{$name}[0];
		close $f;
		printf $man "%s %s %s\n", $name, $m{$name}[1], $m{$name}[2] // '-';
	}
	close $man;
}

sub cmd_verify {
	my ($port, @files) = @_;
	my $res = Net::DNS::Resolver->new(nameservers => ['127.0.0.1'], port => $port,
	    recurse => 1, udp_timeout => 5, tcp_timeout => 5, retry => 1);
	Mail::DKIM::DNS::resolver($res);
	for my $file (@files) {
		open(my $f, '<', $file) or die "$file: $!";
		binmode $f;
		local $/;
		my $msg = <$f>;
		close $f;
		$msg =~ s/\r?\n/\r\n/g;
		my $v = Mail::DKIM::Verifier->new;
		$v->PRINT($msg);
		$v->CLOSE;
		my @r = map { $_->result } $v->signatures;
		(my $name = $file) =~ s{.*/}{};
		$name =~ s/\.eml$//;
		print "$name ", (@r ? join(',', @r) : 'none'), "\n";
	}
}

my $cmd = shift @ARGV // '';
if ($cmd eq 'sign') {
	cmd_sign(@ARGV);
} elsif ($cmd eq 'verify') {
	cmd_verify(@ARGV);
} else {
	die "usage: maildkim.pl sign DIR | verify PORT FILE...\n";
}
