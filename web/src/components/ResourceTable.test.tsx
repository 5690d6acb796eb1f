import { fireEvent, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";
import { renderWithProviders } from "../test/render";
import { ResourceTable, tableStateOf, type Column } from "./ResourceTable";

interface Row {
  id: string;
  name: string;
}

const columns: Column<Row>[] = [
  { id: "id", header: "Id", cell: (row) => row.id },
  { id: "name", header: "Name", cell: (row) => <strong>{row.name}</strong> },
];

const base = {
  columns,
  rowKey: (row: Row) => row.id,
  caption: "Things",
  emptyMessage: "Nothing here.",
};

const twoRows: Row[] = [
  { id: "1", name: "one" },
  { id: "2", name: "two" },
];

describe("ResourceTable", () => {
  it("renders a row per item with a test id and a cell per column", () => {
    renderWithProviders(<ResourceTable {...base} rows={twoRows} rowTestId="thing-row" />);
    const rows = screen.getAllByTestId("thing-row");
    expect(rows).toHaveLength(2);
    expect(rows[1]?.querySelectorAll("td")).toHaveLength(2);
    expect(rows[1]?.textContent).toBe("2two");
    expect(screen.getByRole("table", { name: "Things" })).toBeTruthy();
  });

  it("shows a row's expansion under it, across every column", () => {
    renderWithProviders(
      <ResourceTable
        {...base}
        rows={twoRows}
        rowTestId="thing-row"
        renderExpansion={(row) => (row.id === "1" ? <p>details of one</p> : null)}
      />,
    );
    const bodyRows = screen.getAllByRole("row").slice(1);
    expect(bodyRows.map((row) => row.textContent)).toEqual(["1one", "details of one", "2two"]);
    expect(bodyRows[1]?.querySelector("td")?.getAttribute("colspan")).toBe("2");
    expect(screen.getAllByTestId("thing-row")).toHaveLength(2);
  });

  it("takes its loading, refreshing and error states from a query", () => {
    const refetch = vi.fn();
    const state = tableStateOf({ isPending: false, isFetching: true, error: null, refetch });
    expect(state).toMatchObject({ loading: false, refreshing: true, error: null });
    state.onRetry();
    expect(refetch).toHaveBeenCalled();
    expect(
      tableStateOf({ isPending: true, isFetching: true, error: null, refetch }).refreshing,
    ).toBe(false);
  });

  it("shows the shared loading, empty and error states", () => {
    const { rerender } = renderWithProviders(<ResourceTable {...base} rows={[]} loading />);
    expect(screen.getByRole("status").textContent).toContain("Loading");
    rerender(<ResourceTable {...base} rows={[]} />);
    expect(screen.getByText("Nothing here.")).toBeTruthy();
    const onRetry = vi.fn();
    rerender(
      <ResourceTable
        {...base}
        rows={[]}
        error={new ApiError(500, "list failed")}
        onRetry={onRetry}
      />,
    );
    expect(screen.getByRole("alert").textContent).toContain("list failed");
    fireEvent.click(screen.getByRole("button", { name: "Retry" }));
    expect(onRetry).toHaveBeenCalled();
  });

  it("pages: range, previous/next and page size", () => {
    const onPageChange = vi.fn();
    const onPageSizeChange = vi.fn();
    renderWithProviders(
      <ResourceTable
        {...base}
        rows={[{ id: "1", name: "one" }]}
        paging={{ page: 2, pageSize: 25, total: 60, onPageChange, onPageSizeChange }}
      />,
    );
    expect(screen.getByText("26–50 of 60")).toBeTruthy();
    expect(screen.getByText("Page 2 of 3")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Previous page" }));
    fireEvent.click(screen.getByRole("button", { name: "Next page" }));
    expect(onPageChange.mock.calls).toEqual([[1], [3]]);
    fireEvent.change(screen.getByRole("combobox"), { target: { value: "100" } });
    expect(onPageSizeChange).toHaveBeenCalledWith(100);
  });
});
