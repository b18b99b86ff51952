# The two commands a newcomer needs:
#   make run   — the whole suite on this machine, gateway at http://127.0.0.1:$(GATEWAY_PORT)
#   make test  — the whole test suite against real RabbitMQ and the Mongo-speaking server
.PHONY: run test bench clean-data

GATEWAY_PORT ?= 8080
export GATEWAY_PORT

run:
	@devtools/bootstrap.sh run
	@.venv/bin/python -m devtools.run

test:
	@devtools/bootstrap.sh test
	@.venv/bin/python -m pytest

bench:
	@devtools/bootstrap.sh bench
	@for script in $$(grep -l '^if __name__ == "__main__":' bench/*.py); do \
		echo "==> $$script"; .venv/bin/python $$script || exit 1; \
	done

clean-data:
	rm -rf var/
