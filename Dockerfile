# The advisor as a container: `docker run --rm -v "$PWD:/estate" hybrid-advisor analyze -c /estate/advisor.yaml`
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY advisor ./advisor
COPY connectors ./connectors
COPY policies ./policies
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 advisor
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER advisor
WORKDIR /home/advisor
ENTRYPOINT ["advisor"]
CMD ["--help"]
