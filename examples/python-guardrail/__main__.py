"""The stack's entry point: Pulumi runs this file."""

from guardrail import program

program()
